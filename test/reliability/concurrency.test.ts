/**
 * Concurrent runs against one state: of several applies started together exactly one holds the lock
 * at a time, the others fail fast naming the holder (or wait with --lock-timeout); the state ends whole.
 * `state unlock --force` refuses to release the lock of a holder still running on this host.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../helpers/stack.js";
import { bin, figure, fleet, tree } from "./campaign.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function start(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr.on("data", (b) => (stderr += b));
    c.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("concurrent applies", () => {
  it("one wins, the others are refused naming the holder or wait for it; the state ends whole", async () => {
    const d = fleet(150, "concurrent");
    dirs.push(d);
    const runs = await Promise.all([
      start(["apply", d, "--auto-approve"]),
      start(["apply", d, "--auto-approve"]),
      start(["apply", d, "--auto-approve"]),
      start(["apply", d, "--auto-approve", "--lock-timeout", "5m"]),
    ]);
    const ok = runs.filter((r) => r.code === 0).length;
    const refused = runs.filter((r) => r.code === 1 && /state is locked by pid \d+ on host \S+ \(bootplan apply\)/.test(r.stderr)).length;
    expect(ok + refused, JSON.stringify(runs)).toBe(4);
    // The run with --lock-timeout always completes: it waits its turn, or it took the lock first (then
    // the others are refused and only it completes — which process starts first is up to the OS).
    expect(runs[3].code, JSON.stringify(runs)).toBe(0);
    expect(ok).toBeGreaterThanOrEqual(refused === 3 ? 1 : 2);
    expect(bin(["plan", d, "--detailed-exitcode"]).code).toBe(0);
    expect(Object.keys(tree(join(d, ".bootplan/root"))).some((p) => p.includes(".bootplan-tmp-"))).toBe(false);
    figure(`concurrency: 4 simultaneous applies, ${ok} completed in turn (the waiter among them), ${refused} refused naming the holder, state whole`);
  }, 300_000);

  it("state unlock --force refuses a live holder on this host unless its pid is confirmed", async () => {
    const d = fleet(300, "unlock");
    dirs.push(d);
    const lock = join(d, ".bootplan/state.json.lock");
    const holder = start(["apply", d, "--auto-approve", "--parallelism", "1"]);
    for (let i = 0; i < 1000 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 10));
    const pid = (JSON.parse(readFileSync(lock, "utf8")) as { pid: number }).pid;
    const refused = bin(["state", "unlock", d, "--force"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`pid ${pid} .* is still running on this host; .* --force --pid ${pid}`));
    expect(existsSync(lock)).toBe(true);
    const wrong = bin(["state", "unlock", d, "--force", "--pid", String(pid + 1)]);
    expect(wrong.code).toBe(1);
    expect((await holder).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }, 300_000);
});
