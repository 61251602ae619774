/** Output conventions: colour switches, progress that stays readable at fleet size, compact plans. */
import { describe, expect, it } from "vitest";
import type { ApplyEvent } from "../../../src/engine/apply.js";
import { useColor, type Io } from "../../../src/cli/output.js";
import { LINE_PER_RESOURCE_MAX, PIPE_INTERVAL_MS, progressReporter } from "../../../src/cli/progress.js";
import { runCli, tempStacks } from "../../helpers/stack.js";
import { main } from "../../../src/cli/main.js";

const lab = tempStacks();

function capture(isTty: boolean): { io: Io; text: () => string } {
  let out = "";
  return { io: { out: (t) => void (out += t), err: (t) => void (out += t), isTty, env: {} }, text: () => out };
}

describe("colour", () => {
  it("follows --no-color, then NO_COLOR, then FORCE_COLOR, then whether stdout is a terminal", () => {
    expect(useColor({ color: true }, { isTty: true, env: {} })).toBe(true);
    expect(useColor({ color: true }, { isTty: false, env: {} })).toBe(false);
    expect(useColor({ color: true }, { isTty: true, env: { NO_COLOR: "1" } })).toBe(false);
    expect(useColor({ color: true }, { isTty: true, env: { NO_COLOR: "" } })).toBe(false);
    expect(useColor({ color: true }, { isTty: false, env: { FORCE_COLOR: "1" } })).toBe(true);
    expect(useColor({ color: true }, { isTty: false, env: { FORCE_COLOR: "0" } })).toBe(false);
    expect(useColor({ color: true }, { isTty: false, env: { FORCE_COLOR: "1", NO_COLOR: "1" } })).toBe(false);
    expect(useColor({ color: false }, { isTty: true, env: { FORCE_COLOR: "1" } })).toBe(false);
  });

  it("colours a plan in a pipe with FORCE_COLOR and never with --no-color", async () => {
    const d = lab();
    expect((await runCli(["plan", d], { FORCE_COLOR: "1" })).stdout).toContain("\x1b[");
    expect((await runCli(["plan", d, "--no-color"], { FORCE_COLOR: "1" })).stdout).not.toContain("\x1b[");
    let out = "";
    await main(["plan", d], { out: (t) => void (out += t), err: () => undefined, isTty: true, env: { NO_COLOR: "1" } });
    expect(out).toContain("Plan: ");
    expect(out).not.toContain("\x1b[");
  });
});

const ev = (type: ApplyEvent["type"], i: number): ApplyEvent =>
  type === "start" ? { type, address: `system.s${i}`, action: "create" } : type === "done" ? { type, address: `system.s${i}`, action: "create", ms: 1 } : { type, address: `system.s${i}`, action: "create", ms: 1, error: "disk full" };

describe("apply progress", () => {
  it("in a pipe, a large apply prints a line every few seconds, every failure, nothing per resource", () => {
    const { io, text } = capture(false);
    let now = 0;
    const total = 10_000;
    const p = progressReporter(io, total, false, "plain", () => now);
    for (let i = 0; i < total; i++) {
      now += 2; // 20 s in all
      p.onEvent(ev("start", i));
      p.onEvent(ev(i === 5000 ? "failed" : "done", i));
    }
    p.finish();
    const lines = text().trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(20_000 / PIPE_INTERVAL_MS + 2);
    expect(lines).toContain("system.s5000: create failed: disk full");
    expect(lines.some((l) => /^\[\d+\/10000\] \d+%, [\d.]+\/s, ETA \d/.test(l))).toBe(true);
    expect(text()).not.toContain("system.s1:");
  });

  it("in a pipe, a small apply still names each resource", () => {
    const { io, text } = capture(false);
    const p = progressReporter(io, 3, false, "plain");
    for (let i = 0; i < 3; i++) p.onEvent(ev("done", i));
    expect(text()).toBe("system.s0: created (1 ms)\nsystem.s1: created (1 ms)\nsystem.s2: created (1 ms)\n");
    expect(LINE_PER_RESOURCE_MAX).toBeGreaterThanOrEqual(3);
  });

  it("on a terminal, redraws one block with counts, rate, ETA and what is in flight", () => {
    const { io, text } = capture(true);
    let now = 0;
    const p = progressReporter(io, 100, false, "tty", () => now);
    for (let i = 0; i < 8; i++) p.onEvent(ev("start", i));
    now = 1000;
    p.onEvent(ev("done", 0));
    const last = text().split("\x1b[J").pop()!;
    expect(last).toMatch(/^\[1\/100\] 1%, 1\.0\/s, ETA 1m39s\n {2}system\.s1\n/);
    expect(last).toContain("and 2 more in flight");
    p.finish();
    expect(text().endsWith("\x1b[J")).toBe(true);
  });

  it("--progress=json prints one parseable event per line", () => {
    const { io, text } = capture(false);
    const p = progressReporter(io, 2, false, "json");
    p.onEvent(ev("start", 0));
    p.onEvent(ev("done", 0));
    const events = text().trim().split("\n").map((l) => JSON.parse(l));
    expect(events).toEqual([{ type: "start", address: "system.s0", action: "create", total: 2 }, { type: "done", address: "system.s0", action: "create", ms: 1, total: 2 }]);
  });

  it("apply --progress=json prints only JSON lines on stdout", async () => {
    const d = lab();
    const r = await runCli(["apply", d, "--auto-approve", "--progress", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: "plan", summary: { add: 29 } });
    expect(events.at(-1)).toEqual({ type: "complete", summary: expect.objectContaining({ add: 29 }) });
  });
});

describe("compact plans", () => {
  it("--compact lists addresses and counts; --show-diff ADDR prints that one in full", async () => {
    const d = lab();
    const compact = (await runCli(["plan", d, "--compact", "--no-color"])).stdout;
    expect(compact).toMatch(/^  \+ system\.web01 \[\d+ fields, 4 files\]$/m);
    expect(compact).not.toContain("+++");
    const one = (await runCli(["plan", d, "--show-diff", "system.web01", "--show-new-files", "--no-color"])).stdout;
    expect(one).toContain("+++ b/http/answers/web01.cfg");
    expect(one).not.toContain("+++ b/http/answers/web02.cfg");
    expect(one).toContain("  + system.web02 [");
    expect((await runCli(["plan", d, "--show-diff", "system.nope"])).stderr).toMatch(/^Error: --show-diff system\.nope: not a change of this plan/);
  });
});
