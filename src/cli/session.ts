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
import { driftStamp } from "../providers/on-disk.js";
import type { ProviderRuntime } from "../providers/types.js";
import { relativizeRecordedPaths } from "../state/relative-paths.js";
import { stackRelative } from "../util/stack-path.js";
import type { Io } from "./output.js";

/** A stack opened for planning or applying. */
export interface Session {
  stack: Stack;
  store: FileStateStore;
  secrets: Record<string, string>;
  /** What providers get at run time: the stack directory recorded paths resolve against. */
  runtime: ProviderRuntime;
}

/** Loads the stack in `dir` and reads the secrets its systems need. */
export function openSession(dir: string, io: Io): Session {
  const stack = loadStack(dir);
  const store = new FileStateStore(stack.state.path, stack.name);
  const secrets = readSecrets(stack, secretsNeeded(stack), io.env);
  return { stack, store, secrets, runtime: { base: stack.dir, stamp: driftStamp() } };
}

/** The session's recorded state, absolute paths of states written before 0.2 made relative to the stack. */
export function readState(s: Session): StateDocument {
  const doc = s.store.read();
  relativizeRecordedPaths(doc, s.stack.dir, stackRelative(s.stack.dir, s.stack.provisioningRoot));
  return doc;
}

/** The desired resources of a session's stack; recorded renderings are reused where their inputs are unchanged. */
export function desiredResources(s: Session, io: Io, state?: StateDocument, createKey = true): DesiredResource[] {
  return buildDesiredResources(s.stack, {
    secrets: s.secrets,
    digest: stateDigester(s.stack.state.path, io.env, { create: createKey }),
    recorded: state ? (a) => state.resources[a]?.outputs : undefined,
  });
}

/** Plans the session's stack against `state`, calling providers through `executor` (in-process when none). */
export async function planSession(
  s: Session, state: StateDocument, io: Io,
  opts: { targets?: string[]; destroy?: boolean; readOnly?: boolean; executor?: Executor; replace?: string[]; refresh?: "stat" | "full" | "off" },
): Promise<ExecutablePlan> {
  const keyLost = stateKeyMissing(s.stack.state.path, io.env) && hasSecretDigests(state);
  const desired = opts.destroy ? [] : desiredResources(s, io, state, !opts.readOnly);
  const provider = opts.executor ? opts.executor.provider.bind(opts.executor) : providerFor;
  const mode = opts.destroy ? "off" : opts.refresh ?? "stat";
  const refresh = mode === "off" ? undefined : { runtime: { ...s.runtime, refresh: mode }, secrets: s.secrets };
  const plan = await computePlan(desired, state, { stack: s.stack.name, fingerprint: s.stack.fingerprint, providerFor: provider, targets: opts.targets, destroy: opts.destroy, replace: opts.replace, refresh });
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
