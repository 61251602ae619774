/** Apply's hook lines on a large fleet: the first successful runs of each plugin hook listed, the rest counted; failures always listed. */
import { describe, expect, it } from "vitest";
import { HookLog, LISTED_OK_RUNS } from "../../../src/cli/plugin-output.js";
import type { HookEvent } from "../../../src/plugins/apply-hooks.js";

const run = (i: number, over: Partial<HookEvent> = {}): HookEvent => ({
  address: `system.web${i}`, plugin: "notify", version: "1.0.0", hook: "afterProvision", outcome: "ok", detail: "posted", ms: 3, ...over,
});

describe("apply's hook lines", () => {
  it("list the first successful runs of each plugin hook, count the rest, and always list failures", () => {
    const log = new HookLog(false);
    const lines: string[] = [];
    for (let i = 0; i < LISTED_OK_RUNS + 5; i++) {
      const l = log.line(run(i));
      if (l) lines.push(l);
    }
    lines.push(log.line(run(99, { outcome: "failed", detail: "503 from the webhook" }))!);
    lines.push(log.line(run(7, { hook: "beforeProvision" }))!);
    expect(lines).toHaveLength(LISTED_OK_RUNS + 2);
    expect(lines[0]).toBe("system.web0: plugin notify afterProvision ok: posted (3 ms)");
    expect(lines).toContain("system.web99: plugin notify afterProvision failed: 503 from the webhook (3 ms)");
    expect(lines.at(-1)).toBe("system.web7: plugin notify beforeProvision ok: posted (3 ms)");
    expect(log.summary()).toEqual(["plugin notify afterProvision: 5 more ok runs not listed (each recorded: bootplan state show ADDRESS)"]);
    expect(log.summary()).toEqual([]);
  });
});
