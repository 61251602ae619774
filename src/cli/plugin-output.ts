/** How apply reports plugins' apply-time hooks: a line per hook run as the hooks finish (the first ones of each, on a large fleet). */
import pc from "picocolors";
import { ApplyHookRunner, type ApplyHookPlan, type HookEvent } from "../plugins/apply-hooks.js";
import { pluginCache, type LoadedPlugin } from "../plugins/load.js";
import type { CliConfig } from "./options.js";
import type { Io } from "./output.js";

/** One hook run as apply prints it: `system.db01: plugin notify afterProvision ok: posted (12 ms)`. */
export function hookLine(e: HookEvent, color: boolean): string {
  const c = pc.createColors(color);
  const outcome = e.outcome === "ok" ? c.green("ok") : c.red(e.outcome);
  return `${e.address}: plugin ${e.plugin} ${e.hook} ${outcome}${e.detail ? `: ${e.detail}` : ""} (${e.ms} ms)`;
}

/** Successful runs listed per plugin and hook before the rest are only counted (failures are always listed). */
export const LISTED_OK_RUNS = 20;

/**
 * The lines apply prints for hook runs. A webhook plugin on 100,000 systems would otherwise print
 * 100,000 lines: past LISTED_OK_RUNS successful runs of one plugin's hook, the rest are counted and
 * summed up at the end. Every outcome is recorded in the state either way.
 */
export class HookLog {
  private readonly listed = new Map<string, number>();
  private readonly unlisted = new Map<string, number>();

  constructor(private readonly color: boolean) {}

  /** The line for one run, or undefined when it is only counted. */
  line(e: HookEvent): string | undefined {
    const key = `plugin ${e.plugin} ${e.hook}`;
    if (e.outcome === "ok") {
      const n = this.listed.get(key) ?? 0;
      if (n >= LISTED_OK_RUNS) {
        this.unlisted.set(key, (this.unlisted.get(key) ?? 0) + 1);
        return undefined;
      }
      this.listed.set(key, n + 1);
    }
    return hookLine(e, this.color);
  }

  /** One line per plugin hook with runs not listed since the last call: `plugin notify afterProvision: 9980 more ok runs not listed (...)`. */
  summary(): string[] {
    const out = [...this.unlisted].map(([key, n]) => `${key}: ${n} more ok run${n === 1 ? "" : "s"} not listed (each recorded: bootplan state show ADDRESS)`);
    this.unlisted.clear();
    return out;
  }
}

/** The runner of a plan's apply-time hooks, printing runs on `io`; `finish` prints what was only counted. */
export async function applyHookRunner(plan: ApplyHookPlan, at: { stackDir: string; statePath: string }, loaded: LoadedPlugin[] | undefined, opts: Pick<CliConfig, "color" | "progress">, io: Io): Promise<{ runner: ApplyHookRunner; finish: () => void }> {
  const log = new HookLog(!!opts.color && io.isTty);
  const runner = await ApplyHookRunner.create(plan, {
    // A saved plan's apply loads the plugins afresh: from the compile cache its plan filled, as plan does.
    stackDir: at.stackDir, cache: loaded ? false : pluginCache(at.statePath), env: io.env, loaded,
    onEvent: (e) => {
      // With --progress json, stdout carries only JSON events: every hook run is one more.
      if (opts.progress === "json") return io.out(JSON.stringify({ type: "hook", ...e }) + "\n");
      const line = log.line(e);
      if (line !== undefined) io.out(`${io.isTty ? "\r\x1b[2K" : ""}${line}\n`);
    },
  });
  return { runner, finish: () => log.summary().forEach((l) => io.out(`${l}\n`)) };
}
