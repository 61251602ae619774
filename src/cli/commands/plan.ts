/** `bootplan plan [DIR]`: what apply would change, as text, JSON or Markdown; optionally saved. */
import { savePlan } from "../../engine/planfile.js";
import { hasChanges, type Plan } from "../../engine/types.js";
import { UsageError } from "../../errors.js";
import { renderPlanJson } from "../../report/plan-json.js";
import { renderPlanMarkdown } from "../../report/plan-markdown.js";
import { COMPACT_THRESHOLD, renderPlanText, type TextOptions } from "../../report/plan-text.js";
import type { CliConfig } from "../options.js";
import { useColor, type Io } from "../output.js";
import { withExecutor } from "../../executor/index.js";
import { openSession, planSession, readState, withStateLock } from "../session.js";
import { useDiscoveredFacts, withSshPool } from "../ssh-targets.js";
import { planFromMemo } from "../plan-memo.js";

/** How a plan prints as text: compact when asked, when --show-diff names resources, or above the threshold. */
export function planTextOptions(plan: Plan, opts: CliConfig, io: Io): TextOptions {
  const showDiff = opts.showDiff ?? [];
  const all = showDiff.includes("all");
  for (const a of showDiff) {
    if (a !== "all" && !plan.changes.some((c) => c.address === a)) throw new UsageError(`--show-diff ${a}: not a change of this plan (addresses look like system.web01)`);
  }
  const compact = !all && (opts.compact || showDiff.length > 0 || plan.changes.length > COMPACT_THRESHOLD);
  return { color: useColor(opts, io), showNewFiles: opts.showNewFiles, compact, showDiff };
}

/** Plans the stack in `dir`; returns the exit code (2 for changes with --detailed-exitcode). */
export async function planCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  // A repeated plan of an unchanged stack and state need only check reality against the last no-op plan's memo.
  const memo = !opts.target?.length && !opts.replace?.length && !opts.out && !opts.useFacts && (opts.refresh ?? "stat") === "stat"
    && (opts.executor ?? "in-process") === "in-process" && opts.lock !== false;
  const remembered = memo ? await planFromMemo(dir, io, (backend, fn) => withStateLock(backend, "bootplan plan", opts, fn)) : undefined;
  if (remembered) return showPlan(remembered, opts, io);
  const s = await openSession(dir, io, { targeted: !!opts.target?.length });
  if (opts.useFacts) await withSshPool(opts, () => useDiscoveredFacts(s.stack, io, opts.target));
  const plan = await withStateLock(s.backend, "bootplan plan", opts, async () =>
    // A saved plan is applied later against the digests it holds: only then must the key exist now.
    withExecutor(opts.executor ?? s.stack.executor, { stack: s.stack.name }, async (executor) => planSession(s, await readState(s, { targets: opts.target, replace: opts.replace }), io, { targets: opts.target, readOnly: !opts.out, replace: opts.replace, executor, refresh: opts.refresh, memo })),
  );
  const code = showPlan(plan, opts, io);
  if (opts.out) {
    savePlan(opts.out, s.stack, plan);
    if (!opts.json && !opts.markdown) io.out(`Saved the plan to ${opts.out}; apply exactly it with: bootplan apply ${opts.out}\n`);
  }
  return code;
}

/** Prints a plan as asked; returns the exit code (2 for changes with --detailed-exitcode). */
function showPlan(plan: Plan, opts: CliConfig, io: Io): number {
  if (opts.json) io.out(renderPlanJson(plan));
  else if (opts.markdown) io.out(renderPlanMarkdown(plan));
  else io.out(renderPlanText(plan, planTextOptions(plan, opts, io)));
  return opts.detailedExitcode && hasChanges(plan) ? 2 : 0;
}
