/** The steps commands share: load the stack, open and lock its state, read secrets, build and plan. */
import { computePlan } from "../engine/plan.js";
import type { ExecutablePlan } from "../engine/types.js";
import { buildDesiredResources, secretsNeeded } from "../graph/build.js";
import type { DesiredResource } from "../graph/resource.js";
import type { Executor } from "../executor/types.js";
import type { Stack } from "../model/stack.js";
import { providerFor } from "../providers/index.js";
import { readSecrets, stateDigester, stateKeyMissing, stateKeyPath } from "../secrets/secrets.js";
import { loadStack } from "../stack/load.js";
import { rootWarnings } from "../providers/leftovers.js";
import { FileStateStore } from "../state/file-store.js";
import { StateLock } from "../state/lock.js";
import type { StateDocument } from "../state/types.js";
import type { Io } from "./output.js";
import { loadPlugins, type LoadedPlugin } from "../plugins/load.js";
import { withApplyHooks } from "../plugins/apply-hooks.js";
import { pluginsSelecting } from "../plugins/plan-hooks.js";

/** A stack opened for planning or applying. */
export interface Session {
  stack: Stack;
  store: FileStateStore;
  secrets: Record<string, string>;
  /** The stack's plugins, loaded by planSession (inside the state lock: compiling TypeScript takes a while). */
  plugins?: LoadedPlugin[];
}

/** Loads the stack in `dir` and reads the secrets its systems need. */
export function openSession(dir: string, io: Io): Session {
  const stack = loadStack(dir);
  const store = new FileStateStore(stack.state.path, stack.name);
  const secrets = readSecrets(stack, secretsNeeded(stack), io.env);
  return { stack, store, secrets };
}

/** The desired resources of a session's stack; recorded renderings are reused where their inputs are unchanged. */
export function desiredResources(s: Session, io: Io, state?: StateDocument, createKey = true): DesiredResource[] {
  return buildDesiredResources(s.stack, {
    secrets: s.secrets,
    digest: stateDigester(s.stack.state.path, io.env, { create: createKey }),
    recorded: state ? (a) => state.resources[a]?.outputs : undefined,
    plugins: s.plugins,
  });
}

/** Plans the session's stack against `state`, calling providers through `executor` (in-process when none). */
export async function planSession(s: Session, state: StateDocument, io: Io, opts: { targets?: string[]; destroy?: boolean; readOnly?: boolean; executor?: Executor; replace?: string[] }): Promise<ExecutablePlan> {
  const keyLost = stateKeyMissing(s.stack.state.path, io.env) && hasSecretDigests(state);
  // destroy needs no plugin: a broken one must not keep a stack from being torn down.
  if (!opts.destroy) s.plugins ??= await loadPlugins(s.stack);
  const desired = opts.destroy ? [] : desiredResources(s, io, state, !opts.readOnly);
  const provider = opts.executor ? opts.executor.provider.bind(opts.executor) : providerFor;
  const computed = await computePlan(desired, state, { stack: s.stack.name, fingerprint: s.stack.fingerprint, providerFor: provider, targets: opts.targets, destroy: opts.destroy, replace: opts.replace });
  const plugins = s.plugins ?? [];
  const plan = plugins.length ? withApplyHooks(computed, s.stack, plugins, (name) => pluginsSelecting(s.stack, plugins, name)) : computed;
  plan.warnings.push(...rootWarnings(s.stack.provisioningRoot, state));
  if (keyLost) {
    plan.warnings.push(`secret digests cannot be checked: state key missing (${stateKeyPath(s.stack.state.path)}, or BOOTPLAN_STATE_KEY); every system with a secret shows as changed. Restore the key to see real changes, or apply to record digests under the new key`);
  }
  return plan;
}

/** Runs `fn` holding the state lock (unless `lock` is false), releasing it however `fn` ends. */
export async function withStateLock<T>(statePath: string, command: string, opts: { lock?: boolean; lockTimeout?: number }, fn: () => Promise<T>): Promise<T> {
  if (opts.lock === false) return fn();
  const lock = await StateLock.acquire(statePath, command, { timeoutMs: opts.lockTimeout ?? 0 });
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** True when some recorded resource holds secret digests (which only the state key can check). */
function hasSecretDigests(state: StateDocument): boolean {
  return Object.values(state.resources).some((r) => Object.keys((r.outputs.secretDigests ?? {}) as object).length > 0);
}
