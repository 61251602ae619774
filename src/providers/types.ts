/** The provider contract: Pulumi's dynamic ResourceProvider, with every method bootplan's engine calls. */
import type * as pulumi from "@pulumi/pulumi";

/** A Pulumi dynamic provider implementing all six methods (check, diff, create, read, update, delete). */
export type BootplanProvider = Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;

/** Input keys that carry secret values into a provider at apply time; never recorded or shown. */
export const SECRET_INPUT = "__secrets";

/**
 * Keys that are bookkeeping, not desired configuration: what a provider computed (`fileHashes`),
 * the render-reuse key, plugins' notes and apply-time hook outcomes, and what a provider last observed
 * of the real thing (`observed`: a guest's domain state, a machine's power state). They are recorded
 * but never cause a diff or show in a plan.
 */
export const BOOKKEEPING_KEYS = ["fileHashes", "fileStat", "renderKey", "observed", "pluginHooks", "pluginNotes"];

/**
 * Input key set (true) when a create is the second half of a replace, so a system provider knows to
 * reinstall the running machine rather than only write its boot files; never recorded.
 */
export const REPLACING_INPUT = "__replacing";

/**
 * Input key carrying what a provider needs at run time but must never record or diff: the absolute
 * stack directory that recorded relative paths (`root`, hosted `source`s) resolve against, and how
 * thoroughly `read` checks files. A plain JSON value, so it travels to Pulumi's provider host too.
 */
export const RUNTIME_INPUT = "__runtime";

/** What travels under RUNTIME_INPUT. */
export interface ProviderRuntime {
  /** Absolute directory the recorded relative paths resolve against (the stack directory). */
  base: string;
  /** `read` of files: "stat" trusts unchanged size/mtime/ctime/inode; "full" hashes every file. */
  refresh?: "stat" | "full";
  /** Folder name for this apply's backups of bytes changed outside bootplan (see providers/on-disk.ts). */
  stamp?: string;
}

/**
 * Output key of `read` only: the text on disk of files found changed (secrets turned back into their
 * markers), for the plan's diff of what is there against what will be written. Never recorded.
 */
export const ON_DISK_OUTPUT = "__onDisk";

/** Keys that exist only while a provider runs: stripped from everything recorded, diffed or shown. */
export const TRANSIENT_KEYS = [SECRET_INPUT, RUNTIME_INPUT, ON_DISK_OUTPUT, REPLACING_INPUT];

/** The props without the transient keys (what may be recorded). */
export function withoutTransient(props: Record<string, unknown>): Record<string, unknown> {
  if (!TRANSIENT_KEYS.some((k) => k in props)) return props;
  const out = { ...props };
  for (const k of TRANSIENT_KEYS) delete out[k];
  return out;
}
