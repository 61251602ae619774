/** Saved plans: `plan --out FILE` writes one, `apply FILE` applies exactly it or refuses when it is stale. */
import { existsSync, readFileSync } from "node:fs";
import { StalePlanError, UsageError } from "../errors.js";
import type { StateDocument } from "../state/types.js";
import { writeFileAtomic } from "../util/atomic.js";
import type { ExecutablePlan } from "./types.js";

/** A plan file: the plan plus where its stack lives. Holds no secret values (only markers and digests). */
export interface SavedPlan {
  bootplanSavedPlan: 1;
  /** Absolute stack directory the plan was made from. */
  stackDir: string;
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
export function savePlan(path: string, stackDir: string, plan: ExecutablePlan): void {
  const doc: SavedPlan = { bootplanSavedPlan: 1, stackDir, plan };
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
  if (doc?.bootplanSavedPlan !== 1 || !doc.plan) throw new UsageError(`${path}: not a saved bootplan plan`);
  return doc;
}

/** Refuses a saved plan whose state or stack has changed since it was made. */
export function assertPlanFresh(saved: SavedPlan, fingerprint: string, state: StateDocument, path: string): void {
  const p = saved.plan;
  if (p.state.lineage !== state.lineage && p.state.serial !== 0) {
    throw new StalePlanError(`${path}: the plan was made against another state (lineage ${p.state.lineage}, now ${state.lineage}); run bootplan plan again`);
  }
  if (p.state.serial !== state.serial) {
    throw new StalePlanError(`${path}: the state changed since the plan was made (serial ${p.state.serial}, now ${state.serial}); run bootplan plan again`);
  }
  if (p.fingerprint !== fingerprint) {
    throw new StalePlanError(`${path}: the stack changed since the plan was made; run bootplan plan again`);
  }
}
