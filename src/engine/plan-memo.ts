/**
 * The plan memo: a plan that found nothing to change, kept with what it was computed from. A plan is
 * a function of the stack, bootplan's code, the secrets, the recorded state and reality. When the
 * first four are the same again, the desired resources and their diff against the state are too, and
 * only reality is left to check: each recorded file's stat digest, and the records whose refresh asks
 * a machine (a BMC, a hypervisor). The memo holds exactly that, so a repeated no-op plan costs a stat
 * per file instead of a build of the fleet.
 */
import type { SecretSource } from "../model/stack.js";
import { recordedPaths } from "../providers/recorded-hashes.js";
import type { RecordedFileList } from "../providers/recorded-files.js";
import type { StateDocument } from "../state/types.js";
import { printablePlan, type ExecutablePlan, type Plan } from "./types.js";

/** Bumped when the memo's shape or meaning changes: an older memo is then never read. */
export const PLAN_MEMO_FORMAT = 1;

/** What a no-op plan was computed from, and what is left to check before it can be shown again. */
export interface PlanMemo {
  format: typeof PLAN_MEMO_FORMAT;
  /** bootplan's own code and runtime (code-fingerprint.ts): another version plans afresh. */
  code: string;
  /** The stack's name and its fingerprint inputs (`kind:path:sha256`), re-checked without loading it. */
  stack: { name: string; inputs: string[] };
  /** The state planned against: lineage and serial, and for a file state the file's stat stamp. */
  state: { lineage: string; serial: number; stamp?: string };
  /** Where each secret came from, and its keyed digest (the state's key): a changed value plans afresh. */
  secrets: { sources: Record<string, SecretSource>; digests: Record<string, string> };
  /** The plan as printed, with the warnings that do not depend on the provisioning root's contents. */
  plan: Plan;
  /** The provisioning root, relative to the stack: the plan's warnings about its contents are found again. */
  root: string;
  /** The id of the memo's file list (providers/recorded-files.ts), kept apart: only the thread that checks it reads it. */
  filesId: string;
  /** How many files the list names. */
  fileCount: number;
  /** Records whose refresh reads more than files (or has no stat digest): refreshed through their provider. */
  live: string[];
  /** Files outside the stack the build hashed (a loader's source), with the hash it found (null: missing). */
  hostFiles: [path: string, sha256: string | null][];
  /** The recorded addresses by the stack file that declared them (systems and handoffs of no known file under ""). */
  declared: Record<string, string[]>;
  /** The stack's YAML files that declare anything besides systems: a change to one plans in full. */
  mixed: string[];
}

/** What a memo is made of besides the plan and the state it was planned against. */
export interface PlanMemoInputs {
  code: string;
  stack: { name: string; inputs: string[] };
  stamp?: string;
  secrets: PlanMemo["secrets"];
  root: string;
  /** The plan's warnings before those about the provisioning root's contents were added. */
  warnings: string[];
  /** Whether a record's refresh reads only its files (providers/index.ts). */
  readsOnlyFiles: (kind: string, outputs: Record<string, unknown>) => boolean;
  /** The stack's YAML files that declare anything besides systems. */
  mixed: string[];
  /** The id the memo gives its file list. */
  filesId: string;
  /** The file outside the stack a record's build hashed, if any (graph/serve.ts). */
  hostFileOf: (outputs: Record<string, unknown>) => [string, string | null] | undefined;
}

/**
 * The memo of `plan` against `state` and its file list: each recorded resource with files, its root (as
 * recorded), the files' stat digest ("" for a live record, which its provider reads instead), then the
 * files. Undefined when the plan would change anything or apply has bookkeeping to record.
 */
export function planMemoOf(plan: ExecutablePlan, state: StateDocument, inputs: PlanMemoInputs): { memo: PlanMemo; files: RecordedFileList } | undefined {
  if (plan.changes.length || Object.keys(plan.refresh).length || plan.applyHooks || state.pending.length) return undefined;
  const files: RecordedFileList["files"] = [];
  const live: string[] = [];
  const hostFiles: PlanMemo["hostFiles"] = [];
  const declared: PlanMemo["declared"] = {};
  let fileCount = 0;
  for (const address in state.resources) {
    const rec = state.resources[address];
    // A system or handoff recorded without its file (a state written before records named it) is filed under "": a delta plan could miss its removal.
    if (rec.declaredIn || rec.kind === "system" || rec.kind === "cm") (declared[rec.declaredIn ?? ""] ??= []).push(address);
    const host = inputs.hostFileOf(rec.outputs);
    if (host) hostFiles.push(host);
    const rels = recordedPaths(rec.outputs);
    const stat = rec.outputs.fileStat;
    const isLive = !inputs.readsOnlyFiles(rec.kind, rec.outputs) || (rels.length > 0 && typeof stat !== "string");
    if (isLive) live.push(address);
    if (rels.length) files.push([String(rec.outputs.root), isLive ? "" : (stat as string), ...rels]);
    fileCount += rels.length;
  }
  const memo: PlanMemo = {
    format: PLAN_MEMO_FORMAT,
    code: inputs.code,
    stack: inputs.stack,
    state: { lineage: state.lineage, serial: state.serial, ...(inputs.stamp ? { stamp: inputs.stamp } : {}) },
    secrets: inputs.secrets,
    plan: { ...printablePlan(plan), warnings: inputs.warnings },
    root: inputs.root,
    filesId: inputs.filesId,
    fileCount,
    live,
    hostFiles,
    declared,
    mixed: inputs.mixed,
  };
  return { memo, files: { id: inputs.filesId, files } };
}

/** True when `x` has the memo's shape in this format (a memo from another version, or damaged, is ignored). */
export function isPlanMemo(x: unknown): x is PlanMemo {
  const m = x as PlanMemo | null;
  return typeof m === "object" && m !== null && m.format === PLAN_MEMO_FORMAT && typeof m.code === "string"
    && Array.isArray(m.stack?.inputs) && typeof m.state?.serial === "number" && typeof m.root === "string" && typeof m.filesId === "string" && typeof m.fileCount === "number" && Array.isArray(m.live) && Array.isArray(m.hostFiles) && Array.isArray(m.mixed) && typeof m.declared === "object"
    && Array.isArray(m.plan?.changes) && m.plan.changes.length === 0 && typeof m.secrets?.digests === "object";
}

/**
 * Why a plan of some systems alone (a delta plan, cli/plan-delta.ts) cannot stand for the plan of the
 * whole stack; undefined when it can. Files every system shares must be untouched: the server's DHCP
 * configuration lists each system's hostname and interfaces, a CM index each handoff's node and class.
 * So no system or handoff may come or go, and none of those fields change.
 */
export function sharedFilesTouched(plan: Plan): string | undefined {
  for (const c of plan.changes) {
    const shared = c.kind === "system" ? /^(hostname|interfaces)\b/ : c.kind === "cm" ? /^(class|node)\b/ : undefined;
    if (!shared) {
      if (c.kind === "distro" || c.kind === "repo" || c.kind === "profile") continue;
      return `${c.address} changes`;
    }
    if (c.action === "create" || c.action === "delete") return `${c.address} is ${c.action === "create" ? "added" : "removed"}`;
    const field = c.fields.find((f) => shared.test(f.path));
    if (field) return `${c.address}: ${field.path} changes`;
  }
  return undefined;
}

/**
 * A delta plan as the plan of the whole stack: no targets, and every resource it did not plan counted
 * unchanged (the memo's plan counted every recorded resource so), with the root's warnings added.
 */
export function asWholePlan<P extends Plan>(plan: P, memo: PlanMemo, rootWarnings: string[]): P {
  const s = plan.summary;
  return {
    ...plan, targets: [], summary: { ...s, unchanged: memo.plan.summary.unchanged - s.change - s.replace - s.destroy },
    warnings: [...plan.warnings, ...rootWarnings],
  };
}
