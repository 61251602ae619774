/** The steps commands share: load the stack, open and lock its state, read secrets, build and plan. */
import { computePlan } from "../engine/plan.js";
import { InternalError } from "../errors.js";
import type { ExecutablePlan } from "../engine/types.js";
import { diffFiles } from "../engine/field-diff.js";
import { fileDigests, recordedText } from "../providers/file-digests.js";
import { buildDesiredResources, secretsNeeded } from "../graph/build.js";
import { scopeAddresses, targetScope, type BuildScope } from "../graph/scope.js";
import type { DesiredResource } from "../graph/resource.js";
import type { Executor } from "../executor/types.js";
import type { Stack } from "../model/stack.js";
import { providerFor } from "../providers/index.js";
import { readSecrets, stateDigester, stateKeyMissing, stateKeyPath, type SecretDigester } from "../secrets/secrets.js";
import { loadStack } from "../stack/load.js";
import { findLeftovers, leftoverWarnings, recordedFiles } from "../providers/leftovers.js";
import { filesKey, recordedPaths } from "../providers/recorded-hashes.js";
import { StatPrefetch } from "../providers/stat-prefetch.js";
import type { StateBackend } from "../state/backend.js";
import { openStackState } from "./state-backend.js";
import type { StateDocument, StateStore } from "../state/types.js";
import { driftStamp, rootOf } from "../providers/on-disk.js";
import { RUNTIME_INPUT, type ProviderRuntime } from "../providers/types.js";
import { relativizeRecordedPaths } from "../state/relative-paths.js";
import { stackRelative } from "../util/stack-path.js";
import type { Io } from "./output.js";
import { postgresState } from "./pg-state.js";
import type { PgStatePrefetch } from "../state/pg-prefetch.js";
import { loadPlugins, type LoadedPlugin } from "../plugins/load.js";
import { withApplyHooks } from "../plugins/apply-hooks.js";
import { pluginsSelecting } from "../plugins/plan-hooks.js";
import { recordPlanMemo } from "./plan-memo.js";

/** A stack opened for planning or applying. */
export interface Session {
  stack: Stack;
  /** The stack's state backend (file or PostgreSQL) and its store. */
  backend: StateBackend;
  store: StateStore;
  secrets: Record<string, string>;
  /** Makes the keyed digests recorded for secrets; `create` false: a file backend's plan creates no key file. */
  digest: (create: boolean) => SecretDigester;
  /** The stack's plugins, loaded by planSession (inside the state lock: compiling TypeScript takes a while). */
  plugins?: LoadedPlugin[];
  /** What providers get at run time: the stack directory recorded paths resolve against. */
  runtime: ProviderRuntime;
  /** The part of the stack a targeted plan builds (set by readState); the whole stack when absent. */
  scope?: BuildScope;
}

/**
 * Loads the stack in `dir`, opens its state backend and reads the secrets its systems need. `targeted`:
 * the caller plans some addresses only, and reads their records alone where the store can.
 */
export async function openSession(dir: string, io: Io, opts: { targeted?: boolean } = {}): Promise<Session> {
  // A PostgreSQL state is read by a worker thread while this one loads the stack (unless only a few rows are wanted).
  const prefetch = opts.targeted ? undefined : await prefetchPgState(dir, io.env);
  const stack = loadStack(dir, { cache: "write" });
  const secrets = readSecrets(stack, secretsNeeded(stack), io.env);
  const backend = await openStackState(stack.state, stack.name, io.env, prefetch);
  // A database backend keeps its key beside the state (one round trip); the file backend reads or creates its key file.
  const shared = backend.kind === "file" ? undefined : await backend.digester(io.env);
  return {
    stack, backend, store: backend.store, secrets, runtime: { base: stack.dir, stamp: driftStamp() },
    digest: (create) => shared ?? stateDigester(stack.state.path, io.env, { create }),
  };
}

/**
 * Starts reading the PostgreSQL state stack.yaml names in a worker thread, for the caller to load the
 * stack meanwhile; undefined for a file state, or when stack.yaml cannot tell yet (loading it says why).
 */
async function prefetchPgState(dir: string, env: NodeJS.ProcessEnv): Promise<PgStatePrefetch | undefined> {
  try {
    const pg = await postgresState(dir);
    if (!pg) return undefined;
    const [{ pgTarget }, { PgStatePrefetch }] = await Promise.all([import("../state/pg-connect.js"), import("../state/pg-prefetch.js")]);
    return PgStatePrefetch.start(pgTarget(pg.state, env), pg.stack);
  } catch {
    return undefined;
  }
}

/**
 * The session's recorded state, absolute paths of states written before 0.2 made relative to the stack.
 * With --target addresses, only their scope is built (with the --replace addresses), and a store that
 * reads by resource reads only the scope's records. Without, the whole stack: an untargeted plan of a
 * partial build would plan every other resource's removal.
 */
export async function readState(s: Session, plan: { targets?: string[]; replace?: string[] } = {}): Promise<StateDocument> {
  const named = plan.targets?.length ? [...plan.targets, ...plan.replace ?? []] : [];
  s.scope = targetScope(s.stack, named);
  const doc = s.scope && s.store.readFor ? await s.store.readFor([...scopeAddresses(s.stack, s.scope), ...named]) : await s.store.read();
  relativizeRecordedPaths(doc, s.stack.dir, stackRelative(s.stack.dir, s.stack.provisioningRoot));
  return doc;
}

/** The desired resources of a session's stack; recorded renderings are reused where their inputs are unchanged. */
export function desiredResources(s: Session, io: Io, state?: StateDocument, createKey = true): DesiredResource[] {
  return buildDesiredResources(s.stack, {
    secrets: s.secrets,
    digest: s.digest(createKey),
    recorded: state ? (a) => state.resources[a]?.outputs : undefined,
    plugins: s.plugins,
    scope: s.scope,
  });
}

/** Plans the session's stack against `state`, calling providers through `executor` (in-process when none). */
export async function planSession(
  s: Session, state: StateDocument, io: Io,
  opts: { targets?: string[]; destroy?: boolean; readOnly?: boolean; executor?: Executor; replace?: string[]; refresh?: "stat" | "full" | "off"; memo?: boolean },
): Promise<ExecutablePlan> {
  if (s.scope && !opts.targets?.length) throw new InternalError("a scoped build was planned without its targets: every resource outside it would be removed");
  const keyLost = s.backend.kind === "file" && stateKeyMissing(s.stack.state.path, io.env) && hasSecretDigests(state);
  const mode = opts.destroy ? "off" : opts.refresh ?? "stat";
  // In-process, the refresh's file stats are taken by a worker while this thread builds the plan.
  // A targeted plan refreshes a few records: their stats are not worth a worker.
  const prefetch = s.scope ? StatPrefetch.none() : startPrefetch(s, state, mode !== "off" && (opts.executor?.name ?? "in-process") === "in-process");
  // destroy needs no plugin: a broken one must not keep a stack from being torn down.
  if (!opts.destroy) s.plugins ??= await loadPlugins(s.stack);
  const desired = opts.destroy ? [] : desiredResources(s, io, state, !opts.readOnly);
  const provider = opts.executor ? opts.executor.provider.bind(opts.executor) : providerFor;
  const refresh = mode === "off" ? undefined : { runtime: { ...s.runtime, refresh: mode }, secrets: s.secrets };
  const computed = await prefetch.using(() => computePlan(desired, state, {
    stack: s.stack.name, fingerprint: s.stack.fingerprint, providerFor: provider, targets: opts.targets, destroy: opts.destroy, replace: opts.replace, refresh,
    renderFiles: renderedAgain(s, state, !opts.readOnly),
  }));
  renderReused(s, state, computed, !opts.readOnly);
  showRecordedText(s, state, computed);
  const plugins = s.plugins ?? [];
  const plan = plugins.length ? withApplyHooks(computed, s.stack, plugins, (name) => pluginsSelecting(s.stack, plugins, name)) : computed;
  const planned = [...plan.warnings];
  // Leftovers are files no record claims: a targeted plan does not hold every record, nor judges outside its scope.
  const leftovers = s.scope ? undefined : (await prefetch.leftovers()) ?? findLeftovers(s.stack.provisioningRoot, recordedFiles(state));
  if (leftovers) plan.warnings.push(...leftoverWarnings(s.stack.provisioningRoot, leftovers));
  if (keyLost) {
    plan.warnings.push(`secret digests cannot be checked: state key missing (${stateKeyPath(s.stack.state.path)}, or BOOTPLAN_STATE_KEY); every system with a secret shows as changed. Restore the key to see real changes, or apply to record digests under the new key`);
  }
  // `memo` is asked for plans of the whole stack refreshed by stat (plan command); the memo's reader refreshes in-process.
  if (opts.memo && leftovers && !keyLost && (opts.executor?.name ?? "in-process") === "in-process") {
    await recordPlanMemo(s, state, plan, { warnings: planned, leftovers }, io);
  }
  return plan;
}

/** Below this many recorded files a worker thread costs more than it saves (it takes ~40 ms to start). */
const PREFETCH_MIN_FILES = 1000;

/** Starts the stat prefetch of a plan: the root's leftovers always, the recorded files' digests when `digests`. */
function startPrefetch(s: Session, state: StateDocument, digests: boolean): StatPrefetch {
  const jobs: [string, string[]][] = [];
  const keys: object[] = [];
  let files = 0;
  const roots = new Map<unknown, string>();
  for (const rec of Object.values(state.resources)) {
    const key = filesKey(rec.outputs);
    if (!key || typeof rec.outputs.root !== "string") continue;
    let root = roots.get(rec.outputs.root);
    if (root === undefined) roots.set(rec.outputs.root, (root = rootOf({ root: rec.outputs.root, [RUNTIME_INPUT]: s.runtime })));
    const rels = recordedPaths(rec.outputs);
    jobs.push([root, rels]);
    keys.push(key);
    files += rels.length;
  }
  if (files < PREFETCH_MIN_FILES) return StatPrefetch.none();
  // The worker knows every recorded file from the jobs; without digests to take, it gets the paths alone.
  const leftovers = { root: s.stack.provisioningRoot, known: digests ? [] : [...recordedFiles(state)] };
  return StatPrefetch.start({ jobs: digests ? jobs : [], leftovers }, digests ? keys : []);
}

/**
 * The state keeps digests, not the text of rendered files: a changed file's diff takes its previous text
 * from the provisioning root when that file is still exactly as recorded (otherwise the diff says so).
 */
function showRecordedText(s: Session, state: StateDocument, plan: ExecutablePlan): void {
  for (const c of plan.changes) {
    const digests = state.resources[c.address]?.outputs.fileDigests as Record<string, string> | undefined;
    if (!digests || !c.files.some((f) => f.action !== "create")) continue;
    const old: Record<string, string> = {};
    for (const f of c.files) {
      const text = f.path in digests ? recordedText(s.stack.provisioningRoot, f.path, digests[f.path], s.secrets) : undefined;
      if (text !== undefined) old[f.path] = text;
    }
    if (!Object.keys(old).length) continue;
    // Files changed outside bootplan keep their drift diff (what is on disk against what apply writes).
    const drifted = c.files.filter((f) => f.drift);
    const rest = diffFiles(old, plan.inputs[c.address]?.files as Record<string, string> | undefined, digests).filter((f) => !drifted.some((d) => d.path === f.path));
    c.files = [...drifted, ...rest].sort((a, b) => (a.path < b.path ? -1 : 1));
  }
}

/**
 * Puts the rendered text back into the recorded outputs of the resources in `only` whose files render
 * now to exactly the recorded digests (the state keeps digests only): drift then shows what changed
 * on disk against what bootplan wrote, secrets masked.
 */
export async function withRecordedText(s: Session, state: StateDocument, only: Set<string>): Promise<void> {
  s.plugins ??= await loadPlugins(s.stack);
  const rendered = renderAgain(s, state, false, only);
  for (const address of only) {
    const rec = state.resources[address];
    const recorded = rec?.outputs.fileDigests as Record<string, string> | undefined;
    if (!recorded || rec.outputs.files) continue;
    const files = rendered.get(address);
    if (!files) continue;
    const now = fileDigests(files);
    const same = Object.fromEntries(Object.entries(files).filter(([p]) => recorded[p] === now[p]));
    if (Object.keys(same).length) rec.outputs = { ...rec.outputs, files: same };
  }
}

/**
 * The files of `only` (every resource when absent) rendered afresh: recorded render keys ignored, the
 * rest of the record (install-once state) kept; others reuse their recording as in any plan.
 */
function renderAgain(s: Session, state: StateDocument, createKey: boolean, only?: Set<string>): Map<string, Record<string, string> | undefined> {
  const again = buildDesiredResources(s.stack, {
    secrets: s.secrets, digest: s.digest(createKey), plugins: s.plugins, scope: s.scope,
    recorded: (a) => {
      const o = state.resources[a]?.outputs;
      return o && (!only || only.has(a)) ? { ...o, renderKey: undefined } : o;
    },
  });
  return new Map(again.map((r) => [r.address, r.inputs.files as Record<string, string> | undefined]));
}

/** renderAgain for every resource, done once on first use: a drifted, reused resource needs the text apply writes. */
function renderedAgain(s: Session, state: StateDocument, createKey: boolean): (address: string) => Record<string, string> | undefined {
  let all: Map<string, Record<string, string> | undefined> | undefined;
  return (address) => (all ??= renderAgain(s, state, createKey)).get(address);
}

/**
 * A system whose rendering was reused carries only its files' digests; when it must be written anyway
 * (another field changed), its files are rendered now so apply has the text to write.
 */
function renderReused(s: Session, state: StateDocument, plan: ExecutablePlan, createKey: boolean): void {
  const missing = new Set(Object.entries(plan.inputs).filter(([, i]) => i.fileDigests && !i.files).map(([a]) => a));
  if (!missing.size) return;
  for (const [address, files] of renderAgain(s, state, createKey, missing)) {
    if (!missing.has(address)) continue;
    const { fileDigests: _digests, ...rest } = plan.inputs[address];
    plan.inputs[address] = { ...rest, files };
  }
}

/** Runs `fn` holding the state lock (unless `lock` is false), releasing it however `fn` ends. */
export async function withStateLock<T>(backend: StateBackend, command: string, opts: { lock?: boolean; lockTimeout?: number }, fn: () => Promise<T>): Promise<T> {
  if (opts.lock === false) return fn();
  const lock = await backend.lock(command, { timeoutMs: opts.lockTimeout ?? 0 });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** True when some recorded resource holds secret digests (which only the state key can check). */
function hasSecretDigests(state: StateDocument): boolean {
  return Object.values(state.resources).some((r) => Object.keys((r.outputs.secretDigests ?? {}) as object).length > 0);
}
