/** `bootplan apply [DIR | PLANFILE]` and `bootplan destroy [DIR]`: carry out a plan, recording every operation. */
import { applyFailure, applyPlan } from "../../engine/apply.js";
import { assertPlanFresh, isPlanFile, loadPlan } from "../../engine/planfile.js";
import { hasChanges, type ExecutablePlan } from "../../engine/types.js";
import { describeError, StalePlanError, StateError, UsageError } from "../../errors.js";
import { withExecutor } from "../../executor/index.js";
import type { Executor } from "../../executor/types.js";
import { renderPlanText } from "../../report/plan-text.js";
import type { MaybePromise, StateStore, StateWriter } from "../../state/types.js";
import type { CliConfig } from "../options.js";
import { useColor, type Io } from "../output.js";
import { progressMode, progressReporter } from "../progress.js";
import { driftStamp } from "../../providers/on-disk.js";
import { withVerifiedDirs } from "../../util/safe-path.js";
import { installTokenValues } from "../../secrets/install-token.js";
import { readSecretValues, type SecretDigester } from "../../secrets/secrets.js";
import { openStackState } from "../state-backend.js";
import { removeStaleTemps } from "../../providers/leftovers.js";
import { openSession, planSession, readState, withStateLock, type Session } from "../session.js";
import { useDiscoveredFacts, withSshPool } from "../ssh-targets.js";
import { applyHookRunner } from "../plugin-output.js";
import { planTextOptions } from "./plan.js";
import { boundHeapGrowth } from "../heap-growth.js";

/** Refuses a saved plan whose secrets changed since it was made (digests are compared, never values). */
function assertSecretsUnchanged(plan: ExecutablePlan, secrets: Record<string, string>, digest: SecretDigester, path: string): void {
  for (const inputs of Object.values(plan.inputs)) {
    for (const [name, recorded] of Object.entries((inputs.secretDigests ?? {}) as Record<string, string>)) {
      if (digest(name, secrets[name]) !== recorded) throw new StalePlanError(`${path}: secret ${name} changed since the plan was made; run bootplan plan again`);
    }
  }
}

/**
 * Applies a saved plan without loading the stack again: the stack is only checked to be byte-for-byte
 * the one planned, so a one-system change applies in the time it takes to read and write the state.
 */
async function applySavedPlan(path: string, opts: CliConfig, io: Io): Promise<number> {
  const saved = loadPlan(path);
  const backend = await openStackState(saved.state ?? { backend: "file", path: saved.statePath }, saved.plan.stack, io.env);
  const store = backend.store;
  return withStateLock(backend, `bootplan apply ${path}`, opts, async () => {
    // A store that reads by resource reads only what the plan touches (plus lineage and serial).
    const touched = [...saved.plan.changes.map((c) => c.address), ...Object.keys(saved.plan.refresh ?? {})];
    assertPlanFresh(saved, await (store.readFor ? store.readFor(touched) : store.read()), path);
    const secrets = readSecretValues(saved.secrets, Object.keys(saved.secrets), io.env);
    assertSecretsUnchanged(saved.plan, secrets, await backend.digester(io.env), path);
    if (!hasChanges(saved.plan)) return settleNoChanges(store, saved.plan, io, opts);
    const runtime = { base: saved.stackDir, stamp: driftStamp() };
    return withExecutor(opts.executor ?? saved.executor, { stack: saved.plan.stack }, (executor) => execute({ store, secrets, statePath: saved.statePath, stackDir: saved.stackDir, runtime }, saved.plan, opts, io, executor));
  });
}

async function confirm(plan: ExecutablePlan, opts: CliConfig, io: Io, verb: string): Promise<void> {
  if (opts.autoApprove) return;
  if (opts.progress === "json") throw new UsageError(`bootplan ${verb} --progress json prints only JSON, so it cannot ask: add --auto-approve (or apply a plan saved with plan --out)`);
  if (!io.ask) {
    throw new UsageError(`bootplan ${verb} needs --auto-approve when not run from a terminal (or apply a plan saved with plan --out)`);
  }
  const answer = await io.ask(`\nDo you want to perform these actions? Only 'yes' is accepted: `);
  if (answer.trim() !== "yes") throw new UsageError(`${verb} cancelled: nothing was changed`);
  void plan;
}

/** How many bookkeeping records are handed to the writer at once: a database writer commits them together. */
const REFRESH_CHUNK = 1024;

/**
 * Records refreshed bookkeeping of unchanged resources; no provider is called and nothing is printed.
 * Not one by one: after an upgrade that changes every render key, 280,000 records awaited in turn
 * would be 280,000 commits on PostgreSQL.
 */
async function recordRefresh(writer: StateWriter, plan: ExecutablePlan): Promise<void> {
  const resources = writer.current().resources;
  const entries = Object.entries(plan.refresh ?? {});
  for (let i = 0; i < entries.length; i += REFRESH_CHUNK) {
    const records: MaybePromise<void>[] = [];
    for (const [address, outputs] of entries.slice(i, i + REFRESH_CHUNK)) {
      const rec = resources[address];
      if (rec) records.push(writer.record(address, { ...rec, outputs }));
    }
    await Promise.all(records);
  }
}

/** Applies a plan with no changes: only its refreshed bookkeeping, if any, is recorded. */
async function settleNoChanges(store: StateStore, plan: ExecutablePlan, io: Io, opts: Pick<CliConfig, "progress">): Promise<number> {
  if (Object.keys(plan.refresh ?? {}).length || store.unsettled?.()) {
    const writer = await store.writer();
    await recordRefresh(writer, plan);
    await writer.commit();
  }
  io.out(opts.progress === "json" ? JSON.stringify({ type: "complete", summary: plan.summary }) + "\n" : "No changes.\n");
  return 0;
}

/** What executing a plan needs: the state, secret values, the state path (install tokens), the providers' run-time inputs, and for plugins' apply hooks the stack directory (and loaded plugins). */
type Execution = Pick<Session, "store" | "secrets" | "plugins" | "runtime"> & { statePath: string; stackDir: string };

async function execute(s: Execution, plan: ExecutablePlan, opts: CliConfig, io: Io, executor: Executor): Promise<number> {
  const hooks = plan.applyHooks ? await applyHookRunner(plan.applyHooks, s, s.plugins, opts, io) : undefined;
  // netboot: once tokens are derived from the state key, which apply (unlike plan) may create.
  const secrets = { ...installTokenValues(Object.values(plan.secretNames).flat(), plan.stack, s.statePath, io.env), ...s.secrets };
  const writer = await s.store.writer();
  await recordRefresh(writer, plan);
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    io.err("\nInterrupted: finishing the operations in flight and recording them; no new ones start.\n");
  };
  process.on("SIGINT", onSigint);
  const mode = progressMode(opts.progress, io);
  const progress = progressReporter(io, plan.changes.length, useColor(opts, io), mode);
  let recorded = false;
  try {
    // Systems reinstalled over SSH share one bounded pool, closed when the apply ends.
    const result = await withSshPool(opts, () => withVerifiedDirs(() => applyPlan(plan, writer, { providerFor: hooks ? hooks.runner.wrap(executor.provider.bind(executor)) : executor.provider.bind(executor), parallelism: opts.parallelism, secrets, runtime: s.runtime, onEvent: progress.onEvent, cancelled: () => interrupted })));
    progress.finish();
    hooks?.finish();
    const failure = applyFailure(result);
    recorded = true;
    await (failure ? commitAfterFailure(writer, failure) : writer.commit());
    if (failure) throw failure;
    if (interrupted) {
      io.err(`Stopped: ${result.done} operation(s) completed and recorded, ${result.skipped.length} not started. Run bootplan plan to see what is left.\n`);
      return 130;
    }
    const sm = plan.summary;
    if (mode === "json") io.out(JSON.stringify({ type: "complete", summary: sm }) + "\n");
    else io.out(`Apply complete: ${sm.add} added, ${sm.change} changed, ${sm.replace} replaced, ${sm.destroy} destroyed.\n`);
    return 0;
  } catch (err) {
    hooks?.finish();
    if (!recorded) await commitAfterFailure(writer, err);
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/**
 * Records what a failed apply did. When recording fails too (a full disk fails the journal, then the
 * state file), the state error is the one to act on, but it names the first failure as well.
 */
async function commitAfterFailure(writer: StateWriter, cause: unknown): Promise<void> {
  try {
    await writer.commit();
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    throw new StateError(err.code, `${err.message} (the apply had already failed: ${describeError(cause)})`);
  }
}

/** Plans and applies (or applies a saved plan); `destroy` plans the removal of everything recorded. */
export async function applyCommand(target: string, opts: CliConfig, io: Io, destroy = false): Promise<number> {
  const verb = destroy ? "destroy" : "apply";
  if (!destroy && isPlanFile(target)) return applySavedPlan(target, opts, io);
  // An apply holds the plan, its rendered files and the growing state to its end (heap-growth.ts).
  if (!destroy) boundHeapGrowth();
  const s = await openSession(target, io, { targeted: !destroy && !!opts.target?.length });
  if (opts.useFacts && !destroy) await withSshPool(opts, () => useDiscoveredFacts(s.stack, io, opts.target));
  return withStateLock(s.backend, `bootplan ${verb}`, opts, () => withExecutor(opts.executor ?? s.stack.executor, { stack: s.stack.name }, async (executor) => {
    removeStaleTemps(s.stack.provisioningRoot);
    const plan = await planSession(s, await readState(s, destroy ? {} : { targets: opts.target, replace: opts.replace }), io, { targets: opts.target, destroy, replace: opts.replace, executor, refresh: opts.refresh });
    if (!hasChanges(plan)) return settleNoChanges(s.store, plan, io, opts);
    if (opts.progress === "json") io.out(JSON.stringify({ type: "plan", summary: plan.summary, addresses: plan.changes.map((c) => c.address) }) + "\n");
    else io.out(renderPlanText(plan, planTextOptions(plan, opts, io)));
    await confirm(plan, opts, io, verb);
    return execute({ ...s, statePath: s.stack.state.path, stackDir: s.stack.dir }, plan, opts, io, executor);
  }));
}
