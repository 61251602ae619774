/**
 * The GitHub Actions examples: structure (a schema standing in for actionlint, which Debian 12 does not
 * package), every `run:` script through shellcheck, every github-script body compiled, and the bootplan
 * steps run for real in a workspace laid out as the runner's: plan a PR's change, apply the reviewed
 * plan, then the nightly drift check before and after someone tampers with a file. The steps that call
 * GitHub's API (comments, artifacts, issues) cannot run here; their scripts are compiled only.
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cleanup, editStackFile, REPO, runCli, tempStack } from "../../helpers/stack.js";
import { requireTool } from "../render/tools.js";

const DIR = join(REPO, "examples/github-actions");
const FILES = ["bootplan-plan.yml", "bootplan-apply.yml", "bootplan-drift.yml"];

interface Step { name?: string; id?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> }
interface Workflow { on: Record<string, unknown>; env?: Record<string, string>; jobs: Record<string, { steps: Step[] }> }

const load = (f: string): Workflow => parse(readFileSync(join(DIR, f), "utf8"));
const steps = (w: Workflow): Step[] => Object.values(w.jobs).flatMap((j) => j.steps);
/** A run script with GitHub's expressions replaced by a variable, as bash sees it after substitution. */
const script = (run: string): string => `#!/bin/bash\nset -e\n${run.replace(/\$\{\{[^}]*\}\}/g, "$GHA_EXPRESSION")}`;

describe("examples/github-actions", () => {
  it("has the three workflows, each valid against the workflow schema", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(DIR, "workflow.schema.json"), "utf8")));
    for (const f of FILES) {
      expect(validate(load(f)), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    // The schema is not a rubber stamp: an unpinned action and a step with neither run nor uses fail.
    const bad = load(FILES[0]);
    bad.jobs.plan.steps.push({ uses: "actions/checkout" }, { name: "nothing" });
    expect(validate(bad)).toBe(false);
  });

  it("uses only expressions GitHub knows, and step outputs of steps that exist", () => {
    for (const f of FILES) {
      const text = readFileSync(join(DIR, f), "utf8");
      const w = load(f);
      const ids = new Set(steps(w).map((s) => s.id).filter(Boolean));
      for (const [, expr] of text.matchAll(/\$\{\{\s*([^}]*?)\s*\}\}/g)) {
        expect(expr, f).toMatch(/^(secrets|github|steps|env)\.[A-Za-z0-9_.-]+$/);
        const m = /^steps\.([^.]+)\.outputs\./.exec(expr);
        if (m) expect(ids.has(m[1]), `${f}: ${expr}`).toBe(true);
      }
    }
  });

  requireTool("shellcheck", "apt-get install shellcheck")("passes shellcheck in every run: script", () => {
    for (const f of FILES) {
      for (const s of steps(load(f)).filter((x) => x.run)) {
        const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: script(s.run!), encoding: "utf8" });
        expect(r.status, `${f} step ${s.name ?? s.run}:\n${r.stdout}`).toBe(0);
      }
    }
  });

  it("compiles every github-script body, and finds its comment or issue by the report's hidden marker", () => {
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...a: string[]) => unknown;
    const scripts = FILES.flatMap((f) => steps(load(f)).filter((s) => s.uses?.startsWith("actions/github-script@")).map((s) => [f, s.with!.script] as const));
    expect(scripts.map(([f]) => f)).toEqual(["bootplan-plan.yml", "bootplan-drift.yml"]);
    for (const [f, body] of scripts) {
      expect(() => new AsyncFunction("github", "context", "core", "require", body), f).not.toThrow();
      expect(body).toContain(`<!-- bootplan:${f === "bootplan-plan.yml" ? "plan" : "drift"} stack=\${process.env.STACK_NAME} -->`);
      expect(load(f).env?.STACK_NAME).toBe("lab");
    }
  });
});

describe("the workflows' bootplan steps, run as the runner runs them", () => {
  const ws = mkdtempSync(join(tmpdir(), "bootplan-gha-"));
  afterAll(() => cleanup(ws));
  // `npx bootplan ...` on the runner; here the built CLI of this checkout.
  const bin = join(ws, ".bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "npx"), `#!/bin/sh\n[ "$1" = bootplan ] || exit 127\nshift\nexec "${process.execPath}" "${join(REPO, "bin/bootplan.js")}" "$@"\n`);
  chmodSync(join(bin, "npx"), 0o755);

  function runStep(f: string, pick: (s: Step) => boolean): { code: number; outputs: Record<string, string>; log: string } {
    const w = load(f);
    const step = steps(w).find(pick)!;
    const out = join(ws, "github-output");
    writeFileSync(out, "");
    const r = spawnSync("bash", ["-e", "-c", step.run!.replace(/\$\{\{[^}]*\}\}/g, "")], {
      cwd: ws, encoding: "utf8", env: { ...process.env, ...w.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: out, NO_COLOR: "1" },
    });
    const outputs = Object.fromEntries(readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => l.split("=", 2) as [string, string]));
    return { code: r.status ?? -1, outputs, log: r.stdout + r.stderr };
  }

  it("plans a pull request's change into a comment and a saved plan, applies exactly it, then checks drift nightly", async () => {
    const lab = tempStack();
    cpSync(lab, join(ws, "stacks/lab"), { recursive: true });
    cleanup(lab);
    const stack = join(ws, "stacks/lab");
    expect((await runCli(["apply", stack, "--auto-approve"])).code).toBe(0);
    editStackFile(stack, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");

    const plan = runStep("bootplan-plan.yml", (s) => !!s.run?.includes("bootplan plan"));
    expect(plan.code, plan.log).toBe(0);
    expect(plan.outputs.exitcode).toBe("2");
    const md = readFileSync(join(ws, "plan.md"), "utf8");
    expect(md.startsWith("<!-- bootplan:plan stack=lab -->\n")).toBe(true);
    expect(md).toMatch(/^\+d-i pkgsel\/include string openssh-server curl nginx certbot$/m);
    expect(plan.log).toContain("+++ b/http/answers/web01.cfg"); // the whole plan in the job log
    const upload = steps(load("bootplan-plan.yml")).find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    const uploaded = upload.with!.path.split("\n").filter(Boolean);
    for (const p of uploaded) expect(existsSync(join(ws, p)), p).toBe(true);

    // The artifact as the apply workflow downloads it.
    mkdirSync(join(ws, "reviewed"));
    cpSync(join(ws, "bootplan.plan"), join(ws, "reviewed/bootplan.plan"));
    const apply = runStep("bootplan-apply.yml", (s) => !!s.run?.includes("bootplan apply"));
    expect(apply.code, apply.log).toBe(0);
    expect(readFileSync(join(stack, ".bootplan/root/http/answers/web01.cfg"), "utf8")).toContain("nginx certbot");
    // The same plan again is stale: refused, nothing applied twice.
    const again = runStep("bootplan-apply.yml", (s) => !!s.run?.includes("bootplan apply"));
    expect(again.code).toBe(1);
    expect(again.log).toMatch(/the state changed since the plan was made/);

    const clean = runStep("bootplan-drift.yml", (s) => s.id === "drift");
    expect(clean.code, clean.log).toBe(0);
    expect(clean.outputs.exitcode).toBe("0");
    appendFileSync(join(stack, ".bootplan/root/http/answers/web02.cfg"), "# edited by hand\n");
    const drifted = runStep("bootplan-drift.yml", (s) => s.id === "drift");
    expect(drifted.code, drifted.log).toBe(0);
    expect(drifted.outputs.exitcode).toBe("2");
    const body = readFileSync(join(ws, "drift.md"), "utf8");
    expect(body.startsWith("<!-- bootplan:drift stack=lab -->\n")).toBe(true);
    expect(body).toContain("+# edited by hand");
  });
});
