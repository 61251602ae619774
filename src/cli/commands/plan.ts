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
import { planFromMemo, readPlanMemo, RealityCheck } from "../plan-memo.js";
import { planDelta } from "../plan-delta.js";
import { changedStackYaml } from "../../stack/fingerprint.js";

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
  // A plan of the whole stack, refreshed by stat in-process under the lock, may use (and keep) the plan memo.
  const memo = !opts.target?.length && !opts.replace?.length && !opts.useFacts && (opts.refresh ?? "stat") === "stat"
    && (opts.executor ?? "in-process") === "in-process" && opts.lock !== false;
  const loaded = memo ? await readPlanMemo(dir, io.env) : undefined;
  // Which stack files changed since the memo: none, some that may declare systems alone, or more (undefined).
  const changed = loaded && changedStackYaml(dir, loaded.memo.stack.inputs);
  // Reality is checked against the memo by a worker from now on, while this thread loads and builds.
  const reality = loaded && changed && (changed.length || !opts.out) ? RealityCheck.start(dir, loaded) : undefined;
  if (loaded && reality && !changed?.length) {
    const remembered = await planFromMemo(dir, io, loaded, reality, (backend, fn) => withStateLock(backend, "bootplan plan", opts, fn));
    if (remembered) return showPlan(remembered, opts, io);
    reality.cancel();
  }
  const delta = loaded && reality && changed?.length ? { loaded, changed, reality } : undefined;
  const s = await openSession(dir, io, { targeted: !!opts.target?.length || !!delta });
  if (opts.useFacts) await withSshPool(opts, () => useDiscoveredFacts(s.stack, io, opts.target));
  const plan = await withStateLock(s.backend, "bootplan plan", opts, async () =>
    withExecutor(opts.executor ?? s.stack.executor, { stack: s.stack.name }, async (executor) => {
      // A saved plan is applied later against the digests it holds: only then must the key exist now.
      const planOpts = { readOnly: !opts.out, replace: opts.replace, executor, refresh: opts.refresh, memo };
      const fromDelta = delta && (await planDelta(s, delta.loaded, delta.changed, delta.reality, io, planOpts));
      if (fromDelta) return fromDelta;
      delta?.reality.cancel();
      return planSession(s, await readState(s, { targets: opts.target, replace: opts.replace }), io, { ...planOpts, targets: opts.target });
    }),
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
