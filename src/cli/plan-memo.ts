/**
 * The plan memo on disk (`<state>.plan-memo`, see engine/plan-memo.ts): written by a plan that found
 * nothing to change, read by the next plan before it loads the stack. A memo that cannot vouch for
 * the plan (anything differs, or cannot be checked) is simply not used: the plan then runs in full
 * and words any error itself.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { stateStamp } from "../state/stamp.js";
import { locateState } from "../cm/state-locate.js";
import { isPlanMemo, planMemoOf, type PlanMemo } from "../engine/plan-memo.js";
import { refreshOne } from "../engine/refresh.js";
import type { ExecutablePlan, Plan } from "../engine/types.js";
import type { SecretSource } from "../model/stack.js";
import { leftoverWarnings, type Leftovers } from "../providers/leftovers.js";
import { RecordedFilesCheck } from "../providers/recorded-files.js";
import { driftStamp } from "../providers/on-disk.js";
import { providerFor, refreshReadsOnlyFiles } from "../providers/index.js";
import type { ProviderRuntime } from "../providers/types.js";
import { readSecretValues, stateKeyMissing } from "../secrets/secrets.js";
import { loaderSourceOf } from "../graph/serve.js";
import type { StateBackend } from "../state/backend.js";
import { openStackState } from "./state-backend.js";
import { journalPathFor } from "../state/journal.js";
import { relativizeRecordedPaths } from "../state/relative-paths.js";
import type { StateDocument } from "../state/types.js";
import { writeFileAtomic } from "../util/atomic.js";
import { codeFingerprint } from "../util/code-fingerprint.js";
import { sha256Hex } from "../util/hash.js";
import { stackRelative } from "../util/stack-path.js";
import { jsonArrayParts } from "../util/json-parts.js";
import type { Io } from "./output.js";
import { postgresState } from "./pg-state.js";
import type { Session } from "./session.js";

/** The memo beside a state file (a PostgreSQL state's `path:` places it too), and its list of recorded files. */
const memoPath = (statePath: string): string => `${statePath}.plan-memo`;
const filesPath = (statePath: string): string => `${statePath}.plan-memo.files`;

/** Set to 0 to plan in full every time (the memo is never read nor written). */
const MEMO_ENV = "BOOTPLAN_PLAN_MEMO";

let code: string | undefined;

/** bootplan's modules, schemas, installed dependencies and Node itself: a memo made by any other is not read. */
function codeIdentity(): string {
  if (code === undefined) {
    const lock = new URL("../../node_modules/.package-lock.json", import.meta.url);
    code = sha256Hex([
      codeFingerprint(new URL("../", import.meta.url)),
      codeFingerprint(new URL("../../schemas/", import.meta.url), /\.json$/),
      existsSync(lock) ? sha256Hex(readFileSync(lock)) : "",
      process.version,
    ].join("\0"));
  }
  return code;
}

/** True when the environment allows the memo. */
export function planMemoEnabled(env: NodeJS.ProcessEnv): boolean {
  return env[MEMO_ENV] !== "0";
}

/**
 * Keeps `plan` (which the session planned against `state` in full, untargeted, refreshing by stat,
 * in-process, holding the lock) as the stack's plan memo when it changes nothing. `warnings` are the
 * plan's warnings before those about the provisioning root were added (the memo's reader finds those
 * again, from `leftovers` while no folder of the root has moved). Writes nothing when the state's
 * folder does not exist, or no key keys the secrets' digests.
 */
export async function recordPlanMemo(
  s: Session, state: StateDocument, plan: ExecutablePlan, { warnings, leftovers }: { warnings: string[]; leftovers: Leftovers }, io: Io,
): Promise<void> {
  const statePath = s.stack.state.path;
  if (!planMemoEnabled(io.env) || !existsSync(dirname(statePath))) return;
  const names = Object.keys(s.secrets);
  if (names.length && s.backend.kind === "file" && stateKeyMissing(statePath, io.env)) return;
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
    if (existsSync(journalPathFor(statePath))) return;
    stamp = stateStamp(statePath);
    if (!stamp) return;
  }
  const made = planMemoOf(plan, state, {
    code: codeIdentity(), stack: { name: s.stack.name, inputs: s.stack.fingerprintInputs }, stamp,
    secrets: { sources, digests }, warnings, mixed: s.stack.mixedFiles, root: stackRelative(s.stack.dir, s.stack.provisioningRoot), readsOnlyFiles: refreshReadsOnlyFiles, hostFileOf: loaderSourceOf,
    filesId: randomBytes(12).toString("base64url"),
  });
  if (!made) return;
  try {
    // The list first: a memo is only ever read with the list it names.
    const { id, files } = made.files;
    writeFileAtomic(filesPath(statePath), jsonArrayParts(`{"id":${JSON.stringify(id)},"files":`, files, `,"walked":${JSON.stringify(leftovers)}}`), { backup: false });
    writeFileAtomic(memoPath(statePath), JSON.stringify(made.memo), { backup: false });
  } catch {
    // The memo only saves time: a plan that cannot keep one (a read-only checkout, a full disk) still stands.
  }
}

/** A memo read from disk, made by this bootplan, with the state file it sits beside. */
export interface LoadedMemo {
  memo: PlanMemo;
  statePath: string;
}

/** The memo of the stack in `dir` when there is one this bootplan made and the environment allows it. */
export async function readPlanMemo(dir: string, env: NodeJS.ProcessEnv): Promise<LoadedMemo | undefined> {
  if (!planMemoEnabled(env)) return undefined;
  try {
    const statePath = await locateState(dir);
    const memo = JSON.parse(readFileSync(memoPath(statePath), "utf8")) as unknown;
    return isPlanMemo(memo) && memo.code === codeIdentity() ? { memo, statePath } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The plan of the stack in `dir` from its memo (the stack unchanged since), when the memo vouches for
 * it: the state and the secrets are as they were, and so is reality (see `RealityCheck`). Undefined
 * otherwise (plan in full). Takes the state lock as a plan does (`withLock`).
 */
export async function planFromMemo(
  dir: string, io: Io, { memo, statePath }: LoadedMemo, reality: RealityCheck, withLock: <T>(backend: StateBackend, fn: () => Promise<T>) => Promise<T>,
): Promise<Plan | undefined> {
  const pg = await postgresState(dir).catch(() => undefined);
  if (pg && pg.stack !== memo.stack.name) return undefined;
  const backend = await openStackState(pg ? { ...pg.state, path: statePath } : { backend: "file", path: statePath }, memo.stack.name, io.env);
  return withLock(backend, async () => {
    const secrets = await memoStateHolds({ memo, statePath }, backend, io.env);
    if (!secrets) return undefined;
    const warnings = await reality.holds(backend, secrets);
    return warnings && { ...memo.plan, warnings: [...memo.plan.warnings, ...warnings] };
  });
}

/**
 * Whether the state is the one the memo was planned against (no journal to replay), every secret has
 * the value it had, and every loader on the host the hash it had; the secrets' values when so.
 */
export async function memoStateHolds({ memo, statePath }: LoadedMemo, backend: StateBackend, env: NodeJS.ProcessEnv): Promise<Record<string, string> | undefined> {
  if (backend.kind === "file") {
    if (existsSync(journalPathFor(statePath)) || stateStamp(statePath) !== memo.state.stamp) return undefined;
  } else {
    const head = await backend.store.readFor?.([]);
    if (!head || head.lineage !== memo.state.lineage || head.serial !== memo.state.serial || head.pending.length) return undefined;
  }
  let secrets: Record<string, string>;
  try {
    secrets = readSecretValues(memo.secrets.sources, Object.keys(memo.secrets.sources), env);
  } catch {
    return undefined;
  }
  if (Object.keys(secrets).length) {
    const digest = await backend.digester(env, { create: false });
    for (const [name, value] of Object.entries(secrets)) if (digest(name, value) !== memo.secrets.digests[name]) return undefined;
  }
  for (const [path, sha256] of memo.hostFiles) if ((existsSync(path) ? sha256Hex(readFileSync(path)) : null) !== sha256) return undefined;
  return secrets;
}

/**
 * Reality against the memo: every recorded file's stat digest, taken by a worker thread (started at
 * once, so a caller can build meanwhile) with the root's leftovers; then the records whose refresh
 * asks a machine, refreshed through their providers as in any plan.
 */
export class RealityCheck {
  private constructor(
    private readonly dir: string,
    private readonly memo: PlanMemo,
    private readonly files: RecordedFilesCheck,
  ) {}

  /** Starts checking the memo's recorded files. */
  static start(dir: string, { memo, statePath }: LoadedMemo): RealityCheck {
    const files = RecordedFilesCheck.start({ path: filesPath(statePath), id: memo.filesId, base: resolve(dir), root: resolve(dir, memo.root) }, memo.fileCount);
    return new RealityCheck(dir, memo, files);
  }

  /** Stops taking the digests: the plan runs in full. */
  cancel(): void {
    this.files.cancel();
  }

  /** The root's warnings when reality is as the memo recorded it; undefined when anything differs. */
  async holds(backend: StateBackend, secrets: Record<string, string>): Promise<string[] | undefined> {
    const r = await this.files.answer();
    if (!r.unchanged) return undefined;
    if (this.memo.live.length && !(await this.liveRecordsHold(backend, secrets))) return undefined;
    return leftoverWarnings(resolve(this.dir, this.memo.root), r.leftovers!);
  }

  /** Refreshes the records that ask a machine, as a plan does; true when none drifted. */
  private async liveRecordsHold(backend: StateBackend, secrets: Record<string, string>): Promise<boolean> {
    const runtime: ProviderRuntime = { base: resolve(this.dir), stamp: driftStamp(), refresh: "stat" };
    const doc = backend.store.readFor ? await backend.store.readFor(this.memo.live) : await backend.store.read();
    relativizeRecordedPaths(doc, resolve(this.dir), this.memo.root);
    for (const address of this.memo.live) {
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
}
