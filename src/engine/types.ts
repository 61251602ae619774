/** The plan: what apply will do, resource by resource, with field changes and file diffs. */
import type { Action } from "../state/types.js";
import type { ApplyHookPlan } from "../plugins/apply-hooks.js";

/** One changed field, old -> new, by its path inside the resource's inputs. */
export interface FieldChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

/** One rendered file a change writes or removes, with its unified diff (secrets masked). */
export interface FileChange {
  path: string;
  action: "create" | "update" | "delete";
  /** Lines added and removed, for summaries. */
  added: number;
  removed: number;
  diff: string;
  /** Set when the file on disk is not what bootplan recorded: the diff then starts from what is on disk. */
  drift?: "changed" | "missing";
}

/** The planned action for one resource. */
export interface PlannedChange {
  address: string;
  kind: string;
  action: Exclude<Action, "no-op">;
  /** Why a replace happens, e.g. "distro changed: reinstall". */
  reason?: string;
  /** The stack file declaring it; for a delete, the file it was last declared in (so a vanished file shows). */
  declaredIn?: string;
  fields: FieldChange[];
  files: FileChange[];
  dependsOn: string[];
  /** Facts a reviewer should see with the change, e.g. "uses external list X for P 1.2 (file:line)". */
  notes?: string[];
}

/** Counts for the last line of a plan. */
export interface PlanSummary {
  add: number;
  change: number;
  replace: number;
  destroy: number;
  unchanged: number;
  /** Resources found changed outside bootplan by the refresh (their repair is counted as a change). */
  drifted?: number;
}

/** A plan as printed with --json (see schemas/plan.schema.json). */
export interface Plan {
  formatVersion: 1;
  stack: string;
  /** Content hash of the stack the plan was made from. */
  fingerprint: string;
  /** The state the plan was made against. */
  state: { lineage: string; serial: number };
  /** The addresses given with --target, if any. */
  targets: string[];
  changes: PlannedChange[];
  summary: PlanSummary;
  warnings: string[];
  /** How the recorded resources were refreshed from reality before planning ("off": --refresh=false). */
  refreshed?: "stat" | "full" | "off";
}

/** What apply needs beyond the printed plan: the desired inputs of each changed resource. */
export interface ExecutablePlan extends Plan {
  /** New inputs (masked; no secret values) by address, for create, update and replace. */
  inputs: Record<string, Record<string, unknown>>;
  /** Secrets each resource needs at apply time, by address. */
  secretNames: Record<string, string[]>;
  /**
   * Unchanged resources whose bookkeeping (e.g. the render-reuse key after a bootplan upgrade) is out
   * of date: apply records these outputs without calling any provider, so later plans are fast again.
   */
  refresh: Record<string, Record<string, unknown>>;
  /** Plugins' apply-time hooks to run around system operations (src/plugins/apply-hooks.ts). */
  applyHooks?: ApplyHookPlan;
}

/** The printable plan: inputs and secret names stay in saved plans only. */
export function printablePlan(plan: ExecutablePlan | Plan): Plan {
  const { inputs: _i, secretNames: _s, refresh: _r, applyHooks: _h, ...rest } = plan as ExecutablePlan;
  return rest;
}

/** The last line of a plan: `Plan: A to add, ...` or `No changes.` */
export function summaryLine(s: PlanSummary): string {
  if (!s.add && !s.change && !s.replace && !s.destroy) return "No changes.";
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy.`;
}

/** True when a plan would change anything. */
export function hasChanges(p: Plan): boolean {
  return p.changes.length > 0;
}
