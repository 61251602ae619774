/** `bootplan plan [DIR]`: what apply would change, as text, JSON or Markdown; optionally saved. */
import { savePlan } from "../../engine/planfile.js";
import { hasChanges } from "../../engine/types.js";
import { renderPlanJson } from "../../report/plan-json.js";
import { renderPlanMarkdown } from "../../report/plan-markdown.js";
import { renderPlanText } from "../../report/plan-text.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";
import { withExecutor } from "../../executor/index.js";
import { openSession, planSession, withStateLock } from "../session.js";
import { useDiscoveredFacts, withSshPool } from "../ssh-targets.js";

/** Plans the stack in `dir`; returns the exit code (2 for changes with --detailed-exitcode). */
export async function planCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  const s = await openSession(dir, io);
  if (opts.useFacts) await withSshPool(opts, () => useDiscoveredFacts(s.stack, io, opts.target));
  const plan = await withStateLock(s.backend, "bootplan plan", opts, async () =>
    // A saved plan is applied later against the digests it holds: only then must the key exist now.
    withExecutor(opts.executor ?? s.stack.executor, { stack: s.stack.name }, async (executor) => planSession(s, await s.store.read(), io, { targets: opts.target, readOnly: !opts.out, replace: opts.replace, executor })),
  );
  if (opts.json) io.out(renderPlanJson(plan));
  else if (opts.markdown) io.out(renderPlanMarkdown(plan));
  else io.out(renderPlanText(plan, { color: opts.color && io.isTty, showNewFiles: opts.showNewFiles }));
  if (opts.out) {
    savePlan(opts.out, s.stack, plan);
    if (!opts.json && !opts.markdown) io.out(`Saved the plan to ${opts.out}; apply exactly it with: bootplan apply ${opts.out}\n`);
  }
  return opts.detailedExitcode && hasChanges(plan) ? 2 : 0;
}
