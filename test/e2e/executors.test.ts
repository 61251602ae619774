/**
 * The two executors side by side: applying through Pulumi's dynamic-provider host writes the same
 * root and records an equivalent state as in-process; it works for an installed bootplan and a stack
 * in a user's own directory; a killed bootplan leaves no host behind.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, REPO, runBin, runCli, tempStacks, useExecutor } from "../helpers/stack.js";

const lab = tempStacks();
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(cleanup));

/** Every file under `dir` with its bytes (hex), to compare roots byte for byte. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(abs, e.name), r);
      else out[r] = readFileSync(join(abs, e.name)).toString("hex");
    }
  };
  walk(dir, "");
  return out;
}

/** The recorded resources (lineage and serial aside). */
function resources(stackDir: string): unknown {
  const all = JSON.parse(readFileSync(join(stackDir, ".bootplan/state.json"), "utf8")).resources as Record<string, { outputs: Record<string, unknown> }>;
  // fileStat digests the files' inodes and times, which differ between any two writes of the same bytes.
  for (const r of Object.values(all)) delete r.outputs.fileStat;
  return all;
}

/** Host processes started on behalf of a run marked with `mark` (the host inherits bootplan's environment). */
function hostsMarked(mark: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${p}/cmdline`, "utf8").includes("dynamic-provider") && readFileSync(`/proc/${p}/environ`, "utf8").includes(mark)) pids.push(Number(p));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

describe("pulumi-host and in-process executors", () => {
  it("apply --executor pulumi-host writes the same root, byte for byte, and records the same state as the default", async () => {
    // The same directory, state key and built CLI for both runs, so nothing but the executor differs.
    const d = lab();
    const env = { BOOTPLAN_STATE_KEY: "executors-test" };
    expect(runBin(["apply", d, "--auto-approve"], { env }).code).toBe(0);
    const inProcess = { root: tree(join(d, ".bootplan/root")), resources: resources(d) };
    rmSync(join(d, ".bootplan"), { recursive: true });
    const host = runBin(["apply", d, "--executor", "pulumi-host", "--auto-approve", "--no-color"], { env });
    expect(host.stderr).toBe("");
    expect(host.stdout).toMatch(/^Apply complete: \d+ added, 0 changed/m);
    expect(tree(join(d, ".bootplan/root"))).toEqual(inProcess.root);
    expect(resources(d)).toEqual(inProcess.resources);
    // Either executor plans no changes against the other's state.
    expect(runBin(["plan", d, "--executor", "in-process", "--detailed-exitcode"], { env }).code).toBe(0);
    expect(runBin(["plan", d, "--executor", "pulumi-host", "--detailed-exitcode"], { env }).code).toBe(0);
  });

  it("refuses an unknown executor on the command line and in stack.yaml", async () => {
    const d = lab();
    const flag = await runCli(["plan", d, "--executor", "pulumi"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/--executor expects one of in-process, pulumi-host, got "pulumi"/);
    useExecutor(d, "bogus" as never);
    const yaml = await runCli(["plan", d]);
    expect(yaml.code).toBe(1);
    expect(yaml.stderr).toMatch(/^Error: \S*stack\.yaml:\d+:\d+: executor: expected one of "in-process", "pulumi-host", found "bogus"/);
  });

  it("works for an installed bootplan applying a stack in the user's own directory", () => {
    // The layout npm install gives: node_modules/bootplan (its published files) beside its dependencies.
    const user = mkdtempSync(join(tmpdir(), "bootplan-user-"));
    dirs.push(user);
    const pkg = join(user, "node_modules/bootplan");
    mkdirSync(pkg, { recursive: true });
    for (const f of ["package.json", "bin", "dist", "schemas"]) cpSync(join(REPO, f), join(pkg, f), { recursive: true });
    for (const dep of readdirSync(join(REPO, "node_modules")).filter((n) => !n.startsWith("."))) symlinkSync(join(REPO, "node_modules", dep), join(user, "node_modules", dep));
    const stack = join(user, "fleet");
    // From the committed lab, as every test copies it: the README's own example edits the live one.
    cpSync(lab(), stack, { recursive: true, filter: (src) => !src.includes(".bootplan") });
    const r = spawnSync(process.execPath, [join(pkg, "bin/bootplan.js"), "apply", "fleet", "--executor", "pulumi-host", "--auto-approve", "--no-color"], { cwd: user, encoding: "utf8", env: process.env });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const reference = lab();
    expect(runBin(["apply", reference, "--auto-approve"]).code).toBe(0);
    expect(tree(join(stack, ".bootplan/root"))).toEqual(tree(join(reference, ".bootplan/root")));
  });

  it("keeps what a killed pulumi-host apply completed, leaves no host process behind, and the next apply finishes", async () => {
    const d = useExecutor(lab(), "pulumi-host");
    const mark = `BOOTPLAN_TEST_MARK=${process.pid}-${Date.now()}`;
    const child = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), "apply", d, "--auto-approve", "--parallelism", "1"], {
      stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BOOTPLAN_TEST_MARK: mark.split("=")[1] },
    });
    let out = "";
    await new Promise<void>((res) => child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (/profile\.\S+: created/.test(out)) {
        expect(hostsMarked(mark).length).toBe(1);
        child.kill("SIGKILL");
        res();
      }
    }));
    await new Promise((res) => child.on("exit", res));
    // The host notices its stdin closing; give it a bounded moment to go.
    for (let i = 0; i < 100 && hostsMarked(mark).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(hostsMarked(mark)).toEqual([]);
    expect(runBin(["state", "unlock", d]).code).toBe(0);
    const plan = JSON.parse(runBin(["plan", d, "--json"]).stdout);
    const created = plan.changes.filter((c: { action: string }) => c.action === "create").map((c: { address: string }) => c.address);
    expect(created).toContain("system.web01");
    expect(created).not.toContain("distro.debian-12-amd64");
    expect(runBin(["apply", d, "--auto-approve"]).code).toBe(0);
    expect(runBin(["plan", d, "--detailed-exitcode"]).code).toBe(0);
  });

  it("names the resource and the cause when a provider fails in the host, as in-process does", async () => {
    const run = async (executor: "in-process" | "pulumi-host"): Promise<{ error: string; outside: string[] }> => {
      const d = useExecutor(lab(), executor);
      mkdirSync(join(d, ".bootplan/root/http"), { recursive: true });
      const outside = mkdtempSync(join(tmpdir(), "bootplan-outside-"));
      dirs.push(outside);
      symlinkSync(outside, join(d, ".bootplan/root/http/answers"));
      const r = executor === "in-process" ? await runCli(["apply", d, "--auto-approve"]) : runBin(["apply", d, "--auto-approve"]);
      expect(r.code).toBe(1);
      // How many other operations were in flight when the first failed depends on timing: not compared.
      const error = r.stderr.split("\n")[0].split(d).join("<stack>").split(outside).join("<outside>").replace(/ \(\d+ more failed\); .*/, "");
      return { error, outside: readdirSync(outside) };
    };
    const host = await run("pulumi-host");
    expect(host.error).toMatch(/^Error: system\.\S+: refusing to write .*outside the provisioning root/);
    expect(host.outside).not.toContain("web01.cfg");
    expect(host).toEqual(await run("in-process"));
  });
});
