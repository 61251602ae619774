/** Saved plans: `plan --out FILE` writes one, `apply FILE` applies exactly it or refuses when it is stale. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stackRelative } from "../util/stack-path.js";
import { StalePlanError, UsageError } from "../errors.js";
import type { SecretSource, Stack, StateSettings } from "../model/stack.js";
import { fingerprintChange } from "../stack/fingerprint.js";
import type { StateDocument } from "../state/types.js";
import { writeFileAtomic } from "../util/atomic.js";
import type { ExecutablePlan } from "./types.js";

/**
 * A plan file: the plan plus what applying it needs without loading the stack again — which is
 * safe because apply first checks that every file the stack was read from is unchanged. Holds no
 * secret values (only markers, digests and where the values come from).
 */
export interface SavedPlan {
  bootplanSavedPlan: 1;
  /**
   * The stack directory, relative to the directory `plan` ran in (absolute only when outside it), so a
   * plan made in one checkout applies in another; loadPlan resolves it against the current directory.
   */
  stackDir: string;
  /** The stack's fingerprint inputs (`kind:path:sha256`), re-checked before applying. */
  fingerprintInputs: string[];
  /** The state file, relative to the stack directory (resolved by loadPlan). */
  statePath: string;
  /** The stack's state settings (backend; for PostgreSQL where its URL is read from, never the URL). */
  state?: StateSettings;
  /** Where the secrets the plan's resources need are read from. */
  secrets: Record<string, SecretSource>;
  /** The stack's `executor:` when the plan was made, so `apply FILE` runs providers where the stack says. */
  executor?: Stack["executor"];
  plan: ExecutablePlan;
}

/** True when `path` looks like a saved plan rather than a stack directory. */
export function isPlanFile(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return readFileSync(path, "utf8").startsWith('{"bootplanSavedPlan":1');
  } catch {
    return false;
  }
}

/** Writes a saved plan atomically, readable only by its owner. */
export function savePlan(path: string, stack: Stack, plan: ExecutablePlan): void {
  // Install tokens are derived from the state key when applying, never declared: only declared secrets are named.
  const needed = new Set(Object.values(plan.secretNames).flat().filter((n) => stack.secrets[n]));
  const secrets = Object.fromEntries([...needed].map((n) => {
    const { source: _at, ...src } = stack.secrets[n];
    // A secret file is named relative to the stack, like every other path in the plan.
    return [n, ("file" in src ? { ...src, file: stackRelative(stack.dir, src.file) } : src) as SecretSource];
  }));
  const doc: SavedPlan = {
    bootplanSavedPlan: 1, stackDir: stackRelative(process.cwd(), stack.dir), fingerprintInputs: stack.fingerprintInputs,
    statePath: stackRelative(stack.dir, stack.state.path), state: { ...stack.state, path: stackRelative(stack.dir, stack.state.path) }, secrets, ...(stack.executor ? { executor: stack.executor } : {}), plan,
  };
  writeFileAtomic(path, JSON.stringify(doc) + "\n", { backup: false });
}

/** Reads a saved plan; a file that is not one is a usage error naming it. */
export function loadPlan(path: string): SavedPlan {
  let doc: SavedPlan;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${path}: not a saved bootplan plan (${(err as Error).message.split("\n")[0]})`);
  }
  if (doc?.bootplanSavedPlan !== 1 || !doc.plan || !Array.isArray(doc.fingerprintInputs)) throw new UsageError(`${path}: not a saved bootplan plan`);
  const stackDir = resolve(doc.stackDir);
  if (!existsSync(join(stackDir, "stack.yaml"))) {
    throw new UsageError(`${path}: the plan is for the stack in ${doc.stackDir}, which is not there from ${process.cwd()}; run bootplan apply from the directory bootplan plan ran in`);
  }
  const secrets = Object.fromEntries(Object.entries(doc.secrets ?? {}).map(([n, src]) => [n, "file" in src ? { ...src, file: resolve(stackDir, src.file) } : src]));
  const statePath = resolve(stackDir, doc.statePath);
  return { ...doc, stackDir, statePath, ...(doc.state ? { state: { ...doc.state, path: statePath } } : {}), secrets };
}

/** Refuses a saved plan whose stack files or recorded state have changed since it was made. */
export function assertPlanFresh(saved: SavedPlan, state: StateDocument, path: string): void {
  const p = saved.plan;
  // A state that did not exist yet gets a new lineage on every read; its serial (0) says enough.
  if (p.state.lineage !== state.lineage && p.state.serial !== 0) {
    throw new StalePlanError(`${path}: the plan was made against another state (lineage ${p.state.lineage}, now ${state.lineage}); run bootplan plan again`);
  }
  if (p.state.serial !== state.serial) {
    throw new StalePlanError(`${path}: the state changed since the plan was made (serial ${p.state.serial}, now ${state.serial}); run bootplan plan again`);
  }
  const change = fingerprintChange(saved.stackDir, saved.fingerprintInputs);
  if (change) throw new StalePlanError(`${path}: the stack changed since the plan was made (${change}); run bootplan plan again`);
}
