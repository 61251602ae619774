/** How apply reports plugins' apply-time hooks: one line per hook run, as the hooks finish. */
import pc from "picocolors";
import { ApplyHookRunner, type ApplyHookPlan, type HookEvent } from "../plugins/apply-hooks.js";
import type { LoadedPlugin } from "../plugins/load.js";
import type { CliConfig } from "./options.js";
import type { Io } from "./output.js";

/** One hook run as apply prints it: `system.db01: plugin notify afterProvision ok: posted (12 ms)`. */
export function hookLine(e: HookEvent, color: boolean): string {
  const c = pc.createColors(color);
  const outcome = e.outcome === "ok" ? c.green("ok") : c.red(e.outcome);
  return `${e.address}: plugin ${e.plugin} ${e.hook} ${outcome}${e.detail ? `: ${e.detail}` : ""} (${e.ms} ms)`;
}

/** The runner of a plan's apply-time hooks, printing each run on `io`. */
export function applyHookRunner(plan: ApplyHookPlan, stackDir: string, loaded: LoadedPlugin[] | undefined, opts: Pick<CliConfig, "color" | "progress">, io: Io): Promise<ApplyHookRunner> {
  const color = opts.color && io.isTty;
  return ApplyHookRunner.create(plan, {
    stackDir, env: io.env, loaded,
    // With --progress json, stdout carries only JSON events: a hook's run is one more.
    onEvent: (e) => io.out(opts.progress === "json" ? JSON.stringify({ type: "hook", ...e }) + "\n" : `${io.isTty ? "\r\x1b[2K" : ""}${hookLine(e, color)}\n`),
  });
}
