/**
 * Refresh: each recorded resource read back through its provider's `read` (through the same
 * `providerFor` seam as plan and apply), and what came back compared with the record. Generic over
 * kinds: any output `read` reports differently is drift (a field such as a power state), and for the
 * kinds that write files, each file whose bytes differ from the recorded hash.
 */
import { concealByShape } from "../providers/on-disk.js";
import { recordedHashes } from "../providers/recorded-hashes.js";
import { BootplanError, describeError, ResourceError } from "../errors.js";
import { maskSecrets } from "../secrets/secrets.js";
import { ON_DISK_OUTPUT, RUNTIME_INPUT, SECRET_INPUT, withoutTransient, type BootplanProvider, type ProviderRuntime } from "../providers/types.js";
import type { ResourceRecord } from "../state/types.js";
import { diffFields, fileChange } from "./field-diff.js";
import type { FieldChange, FileChange } from "./types.js";

/** The reason a plan gives for repairing what someone changed. */
export const DRIFT_REASON = "changed outside bootplan";

/** One file that is not as recorded. */
export interface FileDrift {
  path: string;
  status: "changed" | "missing";
  /** The recorded sha256 and the one on disk (null: missing). */
  recorded: string | null;
  actual: string | null;
  /** The text on disk with secrets as markers (absent: missing, binary or too large to show). */
  text?: string;
}

/** What differs between one recorded resource and reality. */
export interface ResourceDrift {
  address: string;
  kind: string;
  /** Outputs whose value `read` reports differently: recorded -> actual. */
  fields: FieldChange[];
  files: FileDrift[];
}

/** One resource after refresh: its outputs as read (durable keys only) and its drift, if any. */
export interface Refreshed {
  outputs: Record<string, unknown>;
  drift?: ResourceDrift;
}

/** What a refresh needs besides the provider seam. */
export interface RefreshOptions {
  providerFor: (kind: string, address?: string) => BootplanProvider;
  runtime: ProviderRuntime;
  /** Secret values by name: providers turn them back into markers in the text they report. */
  secrets: Record<string, string>;
}

/** Compares what `read` returned with the record; undefined when they agree. */
export function compareRead(address: string, rec: ResourceRecord, read: Record<string, unknown>, onDisk: Record<string, string | null> = {}): ResourceDrift | undefined {
  // Providers hand back the recorded values they did not re-read: compare those by reference first.
  let same = Object.keys(read).length === Object.keys(rec.outputs).length;
  for (const k in read) if (!same || (read[k] !== rec.outputs[k] && k !== "fileHashes" && k !== "fileStat")) { same = false; break; }
  const fields = same ? [] : diffFields(rec.outputs, read);
  const recorded = recordedHashes(rec.outputs);
  // A provider that read no file hands the record's own hashes back.
  const actual = read.fileHashes === rec.outputs.fileHashes ? recorded : recordedHashes(read);
  const files: FileDrift[] = [];
  for (const path of Object.keys(recorded).sort()) {
    const a = actual[path] ?? null;
    if (a === recorded[path]) continue;
    const text = onDisk[path];
    files.push({ path, status: a === null ? "missing" : "changed", recorded: recorded[path], actual: a, ...(typeof text === "string" ? { text } : {}) });
  }
  return fields.length || files.length ? { address, kind: rec.kind, fields, files } : undefined;
}

/** The secret values one recorded resource's files may hold (named by its recorded digests). */
function secretsOf(rec: ResourceRecord, all: Record<string, string>): Record<string, string> {
  const digests = rec.outputs.secretDigests as Record<string, string> | undefined;
  const out: Record<string, string> = {};
  for (const n in digests) if (n in all) out[n] = all[n];
  return out;
}

/** Reads one recorded resource back through its provider. */
export async function refreshOne(address: string, rec: ResourceRecord, opts: RefreshOptions): Promise<Refreshed> {
  const provider = opts.providerFor(rec.kind, address);
  let r: Awaited<ReturnType<BootplanProvider["read"]>>;
  const given = { ...rec.outputs, [RUNTIME_INPUT]: opts.runtime, [SECRET_INPUT]: secretsOf(rec, opts.secrets) };
  try {
    r = await provider.read(rec.id, given);
  } catch (err) {
    // A file that cannot be read (permissions, a folder or a link where a file was) names the resource, not a bug.
    if (err instanceof BootplanError && !err.isUserError) throw err;
    throw new ResourceError(address, `reading it back failed: ${describeError(err)}`, "refresh.failed");
  }
  // A provider that found everything as recorded hands back what it was given (every file-writing kind
  // does on an unchanged stat): the record stands, with nothing to copy or compare.
  if (r.props === given) return { outputs: rec.outputs };
  const props = (r.props ?? rec.outputs) as Record<string, unknown>;
  const outputs = withoutTransient(props);
  const drift = compareRead(address, rec, outputs, (props[ON_DISK_OUTPUT] ?? {}) as Record<string, string | null>);
  return { outputs, ...(drift ? { drift } : {}) };
}

/** Refreshes every recorded resource (sorted by address); returns each one's refreshed outputs and drift. */
export async function refreshAll(resources: Record<string, ResourceRecord>, opts: RefreshOptions): Promise<Map<string, Refreshed>> {
  const out = new Map<string, Refreshed>();
  for (const address of Object.keys(resources).sort()) out.set(address, await refreshOne(address, resources[address], opts));
  return out;
}

function binaryNote(f: FileDrift, what: string): string {
  return `Binary or large file ${f.path} changed outside bootplan: sha256 ${f.actual} on disk, ${f.recorded} recorded; ${what}\n`;
}

/**
 * The file changes a plan shows for a drifted resource: each drifted file as a diff of what is on disk
 * against `after` (what will be written; for drift reports, what was recorded). A missing file shows as
 * created; a binary one as its two hashes.
 */
export function driftFileChanges(drift: ResourceDrift, after: Record<string, string> | undefined, what = "apply rewrites it"): FileChange[] {
  return drift.files.map((f) => {
    const next = after?.[f.path];
    if (f.status === "missing") {
      const c: FileChange = next === undefined ? { path: f.path, action: "create", added: 0, removed: 0, diff: `${f.path} is missing on disk; ${what}\n` } : fileChange(f.path, undefined, next);
      c.drift = "missing";
      return c;
    }
    if (f.text === undefined || next === undefined) {
      return { path: f.path, action: "update" as const, added: 0, removed: 0, diff: maskSecrets(binaryNote(f, what)), drift: "changed" as const };
    }
    // `next` holds secret markers where secrets go: a line of the same shape on disk is masked, even
    // when its secret was rotated since (the state keeps no text to compare shapes with).
    const c = fileChange(f.path, concealByShape(f.text, next), next);
    c.drift = "changed";
    return c;
  });
}
