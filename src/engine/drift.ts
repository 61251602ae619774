/** The drift report: every recorded resource refreshed and compared with the record, for `bootplan drift`. */
import type { StateDocument } from "../state/types.js";
import { fileChange } from "./field-diff.js";
import { refreshAll, type RefreshOptions, type ResourceDrift } from "./refresh.js";
import type { FieldChange } from "./types.js";

/** One file that is not as recorded, with a diff from the recorded text to what is on disk. */
export interface DriftedFile {
  path: string;
  status: "changed" | "missing";
  recorded: string | null;
  actual: string | null;
  diff: string;
}

/** One resource that is not as recorded. */
export interface DriftedResource {
  address: string;
  kind: string;
  fields: FieldChange[];
  files: DriftedFile[];
}

/** `bootplan drift --json` (see schemas/drift.schema.json). */
export interface DriftReport {
  formatVersion: 1;
  stack: string;
  state: { lineage: string; serial: number };
  refreshed: "stat" | "full";
  drifted: DriftedResource[];
  /** Files no resource recorded in the folders bootplan owns (relative to the provisioning root). */
  extraFiles: string[];
  summary: { checked: number; drifted: number; changedFiles: number; missingFiles: number; extraFiles: number };
}

function reportFiles(d: ResourceDrift, recordedText: Record<string, string>): DriftedFile[] {
  return d.files.map((f) => {
    const before = recordedText[f.path];
    let diff: string;
    if (f.status === "missing") diff = before === undefined ? `${f.path} is missing on disk\n` : fileChange(f.path, before, undefined).diff;
    else if (f.text === undefined || before === undefined) diff = `${f.path}: binary or large file changed: sha256 ${f.actual} on disk, ${f.recorded} recorded\n`;
    else diff = fileChange(f.path, before, f.text).diff;
    return { path: f.path, status: f.status, recorded: f.recorded, actual: f.actual, diff };
  });
}

/**
 * Refreshes every recorded resource and reports what differs; `extraFiles` comes from the caller's
 * scan. The state keeps digests, not text: `withText`, given the addresses that drifted, puts their
 * recorded text back into `state` (rendering them again), and those are read back once more with it,
 * so the report can show diffs. Nothing is rendered when nothing drifted.
 */
export async function checkDrift(state: StateDocument, stack: string, opts: RefreshOptions, extraFiles: string[] = [], withText?: (addresses: string[]) => Promise<void>): Promise<DriftReport> {
  const refreshed = await refreshAll(state.resources, opts);
  const found = [...refreshed].filter(([, r]) => r.drift).map(([address]) => address);
  if (found.length && withText) {
    await withText(found);
    const again = await refreshAll(Object.fromEntries(found.map((a) => [a, state.resources[a]])), opts);
    for (const [address, r] of again) refreshed.set(address, r);
  }
  const drifted: DriftedResource[] = [];
  for (const [address, r] of refreshed) {
    if (!r.drift) continue;
    const text = (state.resources[address].outputs.files ?? {}) as Record<string, string>;
    drifted.push({ address, kind: r.drift.kind, fields: r.drift.fields, files: reportFiles(r.drift, text) });
  }
  const files = drifted.flatMap((d) => d.files);
  return {
    formatVersion: 1, stack, state: { lineage: state.lineage, serial: state.serial }, refreshed: opts.runtime.refresh ?? "stat",
    drifted, extraFiles,
    summary: {
      checked: refreshed.size, drifted: drifted.length, changedFiles: files.filter((f) => f.status === "changed").length,
      missingFiles: files.filter((f) => f.status === "missing").length, extraFiles: extraFiles.length,
    },
  };
}

/** True when anything differs from the record. */
export function hasDrift(r: DriftReport): boolean {
  return r.drifted.length > 0 || r.extraFiles.length > 0;
}
