/** Saved plans apply exactly what was planned or are refused as stale; the state lock keeps two runs apart. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, EXECUTOR_CASES, REPO, runBin, runCli, tempStacks, useExecutor } from "../helpers/stack.js";

const labs = tempStacks();
const lab = (): string => labs();

/** A real process that takes the stack's state lock and holds it for `ms`. */
function holdLock(statePath: string, ms: number): Promise<{ pid: number; done: Promise<void> }> {
  const script = `
    const { StateLock } = await import(${JSON.stringify(join(REPO, "dist/state/lock.js"))});
    const lock = await StateLock.acquire(${JSON.stringify(statePath)}, "bootplan apply (test holder)", {});
    process.stdout.write("locked\\n");
    setTimeout(() => { lock.release(); process.exit(0); }, ${ms});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const done = new Promise<void>((res) => child.on("exit", () => res()));
  return new Promise((res) => child.stdout.once("data", () => res({ pid: child.pid!, done })));
}

describe.each(EXECUTOR_CASES)("saved plans through the $executor executor", ({ executor, cli: runCli }) => {
  const lab = (): string => useExecutor(labs(), executor);
  it("applies exactly a saved plan, then refuses it as stale", async () => {
    const d = lab();
    const planFile = join(d, "changes.plan");
    const p = await runCli(["plan", d, "--out", planFile]);
    expect(p.stdout).toContain(`Saved the plan to ${planFile}`);
    expect(readFileSync(planFile, "utf8")).not.toContain(readFileSync(join(d, "secrets/demo-root-password.hash"), "utf8").trim());
    const a = await runCli(["apply", planFile, "--no-color"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^Apply complete: \d+ added/m);
    const again = await runCli(["apply", planFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .*changes\.plan: the state changed since the plan was made \(serial 0, now \d+\); run bootplan plan again\n$/);
  });

  it("refuses a saved plan when the stack changed after it was made", async () => {
    const d = lab();
    await runCli(["apply", d, "--auto-approve"]);
    editStackFile(d, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");
    const planFile = join(d, "changes.plan");
    await runCli(["plan", d, "--out", planFile]);
    editStackFile(d, "profiles.yaml", "packages: [nginx, certbot]", "packages: [nginx, haproxy]");
    const r = await runCli(["apply", planFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the stack changed since the plan was made \(profiles\.yaml changed\); run bootplan plan again/);
    expect(readFileSync(join(d, ".bootplan/root/http/answers/web01.cfg"), "utf8")).not.toMatch(/certbot|haproxy/);
  });

  it("refuses a saved plan when a stack file was added or a hosted boot file changed", async () => {
    const d = lab();
    const planFile = join(d, "changes.plan");
    await runCli(["plan", d, "--out", planFile]);
    writeFileSync(join(d, "more.yaml"), "repos:\n  extra: {url: http://mirror.example/extra}\n");
    expect((await runCli(["apply", planFile])).stderr).toMatch(/the stack changed since the plan was made \(more\.yaml was added\)/);
    rmSync(join(d, "more.yaml"));
    writeFileSync(join(d, "boot/debian-12/linux"), "another kernel\n");
    expect((await runCli(["apply", planFile])).stderr).toMatch(/the stack changed since the plan was made \(boot\/debian-12\/linux changed\)/);
    expect(existsSync(join(d, ".bootplan/root"))).toBe(false);
  });

  it("refuses a saved plan when a secret changed after it was made", async () => {
    const d = lab();
    const planFile = join(d, "changes.plan");
    await runCli(["plan", d, "--out", planFile]);
    editStackFile(d, "secrets/demo-root-password.hash", /\$6\$bootplanlab\$/, "$6$otherSalt$");
    const r = await runCli(["apply", planFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/secret root-password changed since the plan was made/);
  });
});

describe("state lock", () => {
  it("makes a second apply fail fast naming the holder, or wait for it with --lock-timeout", async () => {
    const d = lab();
    const statePath = join(d, ".bootplan/state.json");
    const holder = await holdLock(statePath, 5000); // long enough for a loaded machine to start the blocked run
    const blocked = runBin(["apply", d, "--auto-approve"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(new RegExp(`^Error: state is locked by pid ${holder.pid} on host \\S+ \\(bootplan apply \\(test holder\\)\\) since \\S+; retry with --lock-timeout`));
    expect(existsSync(join(d, ".bootplan/root"))).toBe(false);
    const waited = runBin(["apply", d, "--auto-approve", "--lock-timeout", "20s"]);
    expect(waited.stderr).toBe("");
    expect(waited.code).toBe(0);
    await holder.done;
  });

  it("releases a lock left by a killed process with state unlock", async () => {
    const d = lab();
    const statePath = join(d, ".bootplan/state.json");
    const holder = await holdLock(statePath, 60_000);
    const refused = await runCli(["state", "unlock", d]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`pid ${holder.pid}`));
    process.kill(holder.pid, "SIGKILL");
    await holder.done;
    const r = await runCli(["state", "unlock", d]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^Released the lock held by pid ${holder.pid} `)) });
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
  });
});

describe("crash safety", () => {
  it("keeps what a killed apply completed, and the next apply finishes the rest", async () => {
    const d = lab();
    const child = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), "apply", d, "--auto-approve", "--parallelism", "1"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    await new Promise<void>((res) => child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (/profile\.\S+: created/.test(out)) {
        child.kill("SIGKILL");
        res();
      }
    }));
    await new Promise((res) => child.on("exit", res));
    // SIGKILL leaves the lock behind: the next run names it, and state unlock releases it.
    const locked = await runCli(["plan", d]);
    expect(locked.stderr).toMatch(new RegExp(`state is locked by pid ${child.pid} `));
    expect((await runCli(["state", "unlock", d])).code).toBe(0);
    const list = await runCli(["state", "list", d]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^distro\./m);
    const plan = await runCli(["plan", d, "--json"]);
    const created = JSON.parse(plan.stdout).changes.filter((c: { action: string }) => c.action === "create").map((c: { address: string }) => c.address);
    expect(created).toContain("system.web01");
    expect(created).not.toContain("distro.debian-12-amd64");
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });
});

describe("provisioning root containment", () => {
  it("refuses to write through a symbolic link planted in the root", async () => {
    const d = lab();
    const outside = join(d, "..", `outside-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    mkdirSync(join(d, ".bootplan/root/http"), { recursive: true });
    symlinkSync(outside, join(d, ".bootplan/root/http/answers"));
    const r = await runCli(["apply", d, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: system\.\S+: refusing to write .*outside the provisioning root/m);
    expect(existsSync(join(outside, "web01.cfg"))).toBe(false);
    rmSync(outside, { recursive: true, force: true });
  });
});
