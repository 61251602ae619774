/**
 * The plan memo on disk (`<state>.plan-memo`, see engine/plan-memo.ts): written by a plan that found
 * nothing to change, read by the next plan before it loads the stack. A memo that cannot vouch for
 * the plan (anything differs, or cannot be checked) is simply not used: the plan then runs in full
 * and words any error itself.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { stateStamp } from "../cm/enc-index.js";
import { locateState } from "../cm/state-locate.js";
import { isPlanMemo, planMemoOf, type PlanMemo } from "../engine/plan-memo.js";
import { refreshOne } from "../engine/refresh.js";
import type { ExecutablePlan, Plan } from "../engine/types.js";
import type { SecretSource } from "../model/stack.js";
import { findLeftovers, leftoverWarnings } from "../providers/leftovers.js";
import { driftStamp, rootOf } from "../providers/on-disk.js";
import { providerFor, refreshReadsOnlyFiles } from "../providers/index.js";
import { statDigest } from "../providers/stat-digest.js";
import { RUNTIME_INPUT, type ProviderRuntime } from "../providers/types.js";
import { readSecretValues } from "../secrets/secrets.js";
import { fingerprintChange } from "../stack/fingerprint.js";
import { loaderSourceOf } from "../graph/serve.js";
import { openStateBackend, type StateBackend } from "../state/backend.js";
import { relativizeRecordedPaths } from "../state/relative-paths.js";
import type { StateDocument } from "../state/types.js";
import { writeFileAtomic } from "../util/atomic.js";
import { codeFingerprint } from "../util/code-fingerprint.js";
import { sha256Hex } from "../util/hash.js";
import { stackRelative } from "../util/stack-path.js";
import type { Io } from "./output.js";
import { postgresState } from "./pg-state.js";
import type { Session } from "./session.js";

/** The memo beside a state file (a PostgreSQL state's `path:` places it too). */
const memoPath = (statePath: string): string => `${statePath}.plan-memo`;

/** Set to 0 to plan in full every time (the memo is never read nor written). */
const MEMO_ENV = "BOOTPLAN_PLAN_MEMO";

let code: string | undefined;

/** bootplan's modules, schemas, installed dependencies and Node itself: a memo made by any other is not read. */
function codeIdentity(): string {
  const lock = new URL("../../node_modules/.package-lock.json", import.meta.url);
  return (code ??= sha256Hex([
    codeFingerprint(new URL("../", import.meta.url)),
    codeFingerprint(new URL("../../schemas/", import.meta.url), /\.json$/),
    existsSync(lock) ? sha256Hex(readFileSync(lock)) : "",
    process.version,
  ].join("\0")));
}

/** True when the environment allows the memo. */
export function planMemoEnabled(env: NodeJS.ProcessEnv): boolean {
  return env[MEMO_ENV] !== "0";
}

/**
 * Keeps `plan` (which the session planned against `state` in full, untargeted, refreshing by stat,
 * in-process, holding the lock) as the stack's plan memo when it changes nothing. `warnings` are the
 * plan's warnings before those about the provisioning root were added (the memo's reader finds those
 * again). Writes nothing when the state's folder does not exist, or no key keys the secrets' digests.
 */
export async function recordPlanMemo(s: Session, state: StateDocument, plan: ExecutablePlan, warnings: string[], io: Io): Promise<void> {
  const statePath = s.stack.state.path;
  if (!existsSync(dirname(statePath))) return;
  const names = Object.keys(s.secrets);
  if (names.length && s.backend.kind === "file" && !io.env.BOOTPLAN_STATE_KEY && !existsSync(`${statePath}.key`)) return;
  const digest = s.digest(false);
  const sources: Record<string, SecretSource> = {};
  const digests: Record<string, string> = {};
  for (const name of names) {
    const { source: _position, ...source } = s.stack.secrets[name];
    sources[name] = source;
    digests[name] = digest(name, s.secrets[name]);
  }
  let stamp: string | undefined;
  if (s.backend.kind === "file") {
    if (existsSync(`${statePath}.journal`)) return;
    stamp = stateStamp(statePath);
    if (!stamp) return;
  }
  const memo = planMemoOf(plan, state, {
    code: codeIdentity(), stack: { name: s.stack.name, inputs: s.stack.fingerprintInputs }, stamp,
    secrets: { sources, digests }, warnings, root: stackRelative(s.stack.dir, s.stack.provisioningRoot), readsOnlyFiles: refreshReadsOnlyFiles, hostFileOf: loaderSourceOf,
  });
  if (memo) writeFileAtomic(memoPath(statePath), JSON.stringify(memo));
}

/**
 * The plan of the stack in `dir` from its memo, when the memo vouches for it: the stack's files, the
 * code, the state and the secrets are as they were, every recorded file's stat digest is unchanged and
 * every record whose refresh asks a machine reads back as recorded. Undefined otherwise (plan in full).
 * Takes the state lock as a plan does (`withLock`).
 */
export async function planFromMemo(
  dir: string, io: Io, withLock: <T>(backend: StateBackend, fn: () => Promise<T>) => Promise<T>,
): Promise<Plan | undefined> {
  if (!planMemoEnabled(io.env)) return undefined;
  let statePath: string, memo: PlanMemo;
  try {
    statePath = await locateState(dir);
    memo = JSON.parse(readFileSync(memoPath(statePath), "utf8"));
  } catch {
    return undefined;
  }
  if (!isPlanMemo(memo) || memo.code !== codeIdentity()) return undefined;
  if (fingerprintChange(dir, memo.stack.inputs) !== undefined) return undefined;
  const pg = await postgresState(dir).catch(() => undefined);
  if (pg && pg.stack !== memo.stack.name) return undefined;
  const backend = await openStateBackend(pg ? { ...pg.state, path: statePath } : { backend: "file", path: statePath }, memo.stack.name, io.env);
  return withLock(backend, async () => (await memoHolds(dir, statePath, memo, backend, io)) ? memoPlan(dir, memo) : undefined);
}

/** Whether the state, the secrets and reality are as the memo recorded them. */
async function memoHolds(dir: string, statePath: string, memo: PlanMemo, backend: StateBackend, io: Io): Promise<boolean> {
  if (backend.kind === "file") {
    if (existsSync(`${statePath}.journal`) || stateStamp(statePath) !== memo.state.stamp) return false;
  } else {
    const head = await backend.store.readFor?.([]);
    if (!head || head.lineage !== memo.state.lineage || head.serial !== memo.state.serial || head.pending.length) return false;
  }
  let secrets: Record<string, string>;
  try {
    secrets = readSecretValues(memo.secrets.sources, Object.keys(memo.secrets.sources), io.env);
  } catch {
    return false;
  }
  if (Object.keys(secrets).length) {
    const digest = await backend.digester(io.env, { create: false });
    for (const [name, value] of Object.entries(secrets)) if (digest(name, value) !== memo.secrets.digests[name]) return false;
  }
  for (const [path, sha256] of memo.hostFiles) if ((existsSync(path) ? sha256Hex(readFileSync(path)) : null) !== sha256) return false;
  const runtime: ProviderRuntime = { base: resolve(dir), stamp: driftStamp(), refresh: "stat" };
  const roots = new Map<string, string>();
  for (const [root, stat, ...rels] of memo.files) {
    let abs = roots.get(root);
    if (abs === undefined) roots.set(root, (abs = rootOf({ root, [RUNTIME_INPUT]: runtime })));
    if (stat && statDigest(abs, rels) !== stat) return false;
  }
  return memo.live.length ? liveRecordsHold(dir, memo, backend, runtime, secrets) : true;
}

/** Refreshes the records that ask a machine, as a plan does; true when none drifted. */
async function liveRecordsHold(dir: string, memo: PlanMemo, backend: StateBackend, runtime: ProviderRuntime, secrets: Record<string, string>): Promise<boolean> {
  const doc = backend.store.readFor ? await backend.store.readFor(memo.live) : await backend.store.read();
  relativizeRecordedPaths(doc, resolve(dir), memo.root);
  for (const address of memo.live) {
    const rec = doc.resources[address];
    if (!rec) return false;
    try {
      if ((await refreshOne(address, rec, { providerFor, runtime, secrets })).drift) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The memo's plan with the provisioning root's warnings found again. */
function memoPlan(dir: string, memo: PlanMemo): Plan {
  const known = new Set<string>();
  for (const [, , ...rels] of memo.files) for (const rel of rels) known.add(rel);
  const abs = resolve(dir, memo.root);
  return { ...memo.plan, warnings: [...memo.plan.warnings, ...leftoverWarnings(abs, findLeftovers(abs, known))] };
}
