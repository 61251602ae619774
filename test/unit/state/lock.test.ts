import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { StateLock } from "../../../src/state/lock.js";
import type { LockInfo } from "../../../src/state/types.js";
import { buildStateModules, runNode, startNode, tempDir, catchStateError } from "./helpers.js";

let mods: ReturnType<typeof buildStateModules>;
beforeAll(() => (mods = buildStateModules()));
afterAll(() => mods.cleanup());

let dir: string;
let statePath: string;
let lockPath: string;
beforeEach(() => {
  dir = tempDir();
  statePath = path.join(dir, "state.json");
  lockPath = `${statePath}.lock`;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A child process that takes the lock, prints "locked", then runs `then`. */
function holder(then: string, command = "bootplan apply") {
  return startNode(`
    const { StateLock } = await import(${JSON.stringify(mods.stateUrl + "lock.js")});
    const lock = await StateLock.acquire(${JSON.stringify(statePath)}, ${JSON.stringify(command)}, {});
    console.log("locked");
    ${then}
  `);
}

async function rejection(p: Promise<unknown>): Promise<StateError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StateError);
    return err as StateError;
  }
  throw new Error("expected a StateError");
}


/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = startNode("");
  await child.done;
  return child.pid;
}

function writeLock(info: LockInfo): void {
  fs.writeFileSync(lockPath, JSON.stringify(info));
}

describe("StateLock", () => {
  it("StateLock second acquire fails fast naming the holder's pid, host and command", async () => {
    const child = holder("setTimeout(() => {}, 30000);");
    await child.stdoutLine();
    const started = Date.now();
    const err = await rejection(StateLock.acquire(statePath, "bootplan plan", {}));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err.code).toBe("state.locked");
    expect(err.message).toMatch(
      new RegExp(`^state is locked by pid ${child.pid} on host ${os.hostname()} \\(bootplan apply\\) since \\S+; retry with --lock-timeout, or if that process is gone run: bootplan state unlock$`),
    );
    // SIGTERM to a holder without its own handler releases the lock and still ends the process by that signal.
    process.kill(child.pid, "SIGTERM");
    expect((await child.done).signal).toBe("SIGTERM");
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("StateLock acquire with a timeout waits and succeeds when the holder releases", async () => {
    const child = holder("setTimeout(() => lock.release(), 300); setTimeout(() => {}, 1000);");
    await child.stdoutLine();
    const started = Date.now();
    const lock = await StateLock.acquire(statePath, "bootplan apply", { timeoutMs: 10_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(StateLock.inspect(statePath)).toMatchObject({ pid: process.pid, command: "bootplan apply" });
    lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
    await child.done;
  });

  it("StateLock acquire with a timeout that elapses says it waited", async () => {
    const child = holder("setTimeout(() => {}, 30000);");
    await child.stdoutLine();
    const err = await rejection(StateLock.acquire(statePath, "bootplan apply", { timeoutMs: 300 }));
    expect(err.code).toBe("state.locked");
    expect(err.message).toMatch(new RegExp(`pid ${child.pid} .* waited 0\\.[3-9]s`));
    process.kill(child.pid, "SIGKILL");
    await child.done;
  });

  it("StateLock is released when the holder exits, and by SIGINT when nothing else handles it", async () => {
    const exiting = holder("process.exit(0);");
    await exiting.done;
    expect(fs.existsSync(lockPath)).toBe(false);

    const interrupted = holder("setTimeout(() => {}, 30000);");
    await interrupted.stdoutLine();
    process.kill(interrupted.pid, "SIGINT");
    expect((await interrupted.done).signal).toBe("SIGINT");
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("StateLock stays held while the program's own SIGINT handler finishes its work, then is released on exit", async () => {
    const child = holder(`
      const fs = await import("node:fs");
      process.on("SIGINT", () => {
        console.log(fs.existsSync(${JSON.stringify(lockPath)}) ? "held during shutdown" : "released too early");
        setTimeout(() => process.exit(130), 100);
      });
      setTimeout(() => {}, 30000);`);
    await child.stdoutLine();
    process.kill(child.pid, "SIGINT");
    const result = await child.done;
    expect(result.stdout).toContain("held during shutdown");
    expect(result.code).toBe(130);
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("StateLock held by a process killed with SIGKILL is detected as stale and unlock releases it", async () => {
    const child = holder("setTimeout(() => {}, 30000);");
    await child.stdoutLine();
    process.kill(child.pid, "SIGKILL");
    await child.done;
    expect(StateLock.inspect(statePath)).toMatchObject({ pid: child.pid, host: os.hostname() });
    expect((await rejection(StateLock.acquire(statePath, "bootplan apply", {}))).message).toContain(`pid ${child.pid}`);
    expect(StateLock.unlock(statePath, {})).toMatchObject({ pid: child.pid, command: "bootplan apply" });
    expect(StateLock.inspect(statePath)).toBeUndefined();
    (await StateLock.acquire(statePath, "bootplan apply", {})).release();
  });

  it("StateLock unlock releases a lock whose process is gone", async () => {
    const pid = await deadPid();
    writeLock({ pid, host: os.hostname(), command: "bootplan apply", since: "2026-11-22T01:02:03Z" });
    expect(StateLock.unlock(statePath, {})).toEqual({ pid, host: os.hostname(), command: "bootplan apply", since: "2026-11-22T01:02:03Z" });
    expect(fs.existsSync(lockPath)).toBe(false);
    expect(StateLock.unlock(statePath, {})).toBeUndefined();
  });

  it("StateLock unlock refuses while the holder still runs, unless forced with its pid confirmed", async () => {
    const child = holder("setTimeout(() => {}, 30000);");
    await child.stdoutLine();
    const err = catchStateError(() => StateLock.unlock(statePath, {}));
    expect(err.code).toBe("state.lock-held");
    expect(err.message).toContain(`pid ${child.pid} on host ${os.hostname()} (bootplan apply)`);
    expect(err.message).toContain("still running");
    expect(fs.existsSync(lockPath)).toBe(true);
    // --force alone is not enough for a holder alive on this host: its pid must be confirmed.
    expect(catchStateError(() => StateLock.unlock(statePath, { force: true })).message).toContain(`--force --pid ${child.pid}`);
    expect(StateLock.unlock(statePath, { force: true, pid: child.pid })?.pid).toBe(child.pid);
    expect(fs.existsSync(lockPath)).toBe(false);
    process.kill(child.pid, "SIGKILL");
    await child.done;
  });

  it("StateLock unlock refuses a lock from another host without force, saying it cannot check", () => {
    writeLock({ pid: 4242, host: "ci-7.invalid", command: "bootplan apply", since: "2026-11-22T01:02:03Z" });
    const err = catchStateError(() => StateLock.unlock(statePath, {}));
    expect(err.code).toBe("state.lock-held");
    expect(err.message).toMatch(/pid 4242 on host ci-7\.invalid .*cannot be checked/);
    expect(StateLock.unlock(statePath, { force: true })?.host).toBe("ci-7.invalid");
  });

  it("StateLock reports an empty lock file (a crash while taking it) instead of crashing", async () => {
    fs.writeFileSync(lockPath, "");
    const err = await rejection(StateLock.acquire(statePath, "bootplan apply", {}));
    expect(err.code).toBe("state.locked");
    expect(err.message).toMatch(/exists but it is empty.*bootplan state unlock --force/);
    expect(catchStateError(() => StateLock.inspect(statePath)).code).toBe("state.lock-unreadable");
    expect(catchStateError(() => StateLock.unlock(statePath, {})).code).toBe("state.locked");
    StateLock.unlock(statePath, { force: true });
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("StateLock release leaves alone a lock that another run took after a forced unlock", async () => {
    const lock = await StateLock.acquire(statePath, "bootplan apply", {});
    StateLock.unlock(statePath, { force: true, pid: process.pid });
    const other = { pid: await deadPid(), host: os.hostname(), command: "bootplan apply", since: new Date().toISOString() };
    writeLock(other);
    lock.release();
    expect(StateLock.inspect(statePath)).toEqual(other);
  });

  it("StateLock lock file is readable JSON naming the holder, private to its owner", async () => {
    const result = await runNode(`
      const { StateLock } = await import(${JSON.stringify(mods.stateUrl + "lock.js")});
      await StateLock.acquire(${JSON.stringify(statePath)}, "bootplan apply", {});
      const fs = await import("node:fs");
      console.log(fs.readFileSync(${JSON.stringify(lockPath)}, "utf8").trim(), (fs.statSync(${JSON.stringify(lockPath)}).mode & 0o777).toString(8));
    `);
    const out = result.stdout.trim();
    const json = out.slice(0, out.lastIndexOf(" "));
    const mode = out.slice(out.lastIndexOf(" ") + 1);
    expect(JSON.parse(json)).toEqual({ pid: expect.any(Number), host: os.hostname(), command: "bootplan apply", since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(mode).toBe("600");
  });
});
