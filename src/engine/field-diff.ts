/** Field-level and file-level differences between recorded outputs and desired inputs, for people to read. */
import { createTwoFilesPatch } from "diff";
import { maskSecrets, MASK } from "../secrets/secrets.js";
import { BOOKKEEPING_KEYS, TRANSIENT_KEYS } from "../providers/types.js";
import { jsonEqual } from "../util/equal.js";
import { isPlainObject } from "../util/merge.js";
import type { FieldChange, FileChange } from "./types.js";
import { fileDigests } from "../providers/file-digests.js";

/** Keys shown as file diffs rather than fields, or not shown at all. */
const NOT_FIELDS = new Set(["files", "fileDigests", ...TRANSIENT_KEYS, ...BOOKKEEPING_KEYS]);

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some((v) => isPlainObject(v))) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else {
    out.set(prefix, value);
  }
}

// The same field paths recur in every resource (`interfaces[0].mac`): one string each, not one per
// change, which at 100,000 created systems is a million strings. Bounded, as the paths come from stacks.
const paths = new Map<string, string>();
function shared(path: string): string {
  const known = paths.get(path);
  if (known !== undefined) return known;
  if (paths.size < 50_000) paths.set(path, path);
  return path;
}

/** Leaf-level changes between two input objects; secret digests show as a masked change. */
export function diffFields(olds: Record<string, unknown> | undefined, news: Record<string, unknown> | undefined): FieldChange[] {
  const a = new Map<string, unknown>(), b = new Map<string, unknown>();
  for (const [k, v] of Object.entries(olds ?? {})) if (!NOT_FIELDS.has(k)) flatten(v, k, a);
  for (const [k, v] of Object.entries(news ?? {})) if (!NOT_FIELDS.has(k)) flatten(v, k, b);
  const out: FieldChange[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const o = a.get(path), n = b.get(path);
    if (jsonEqual(o, n)) continue;
    if (path.startsWith("secretDigests.")) {
      out.push({ path, ...(a.has(path) ? { old: MASK } : {}), ...(b.has(path) ? { new: `${MASK} (changed)` } : {}) });
      continue;
    }
    out.push({ path: shared(path), ...(a.has(path) ? { old: o } : {}), ...(b.has(path) ? { new: n } : {}) });
  }
  return out;
}

function countLines(patch: string): { added: number; removed: number } {
  let added = 0, removed = 0;
  for (const line of patch.split("\n")) {
    if (line.startsWith("+") && !line.startsWith("+++")) added++;
    else if (line.startsWith("-") && !line.startsWith("---")) removed++;
  }
  return { added, removed };
}

function unifiedDiff(path: string, action: FileChange["action"], before: string | undefined, after: string | undefined): string {
  return createTwoFilesPatch(
    action === "create" ? "/dev/null" : `a/${path}`,
    action === "delete" ? "/dev/null" : `b/${path}`,
    maskSecrets(before ?? ""), maskSecrets(after ?? ""), undefined, undefined, { context: 3 },
  ).replace(/^=+\n/, "");
}

/** How many lines a text has (a last line without a newline counts). */
function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text === "" || text.endsWith("\n") ? n : n + 1;
}

/**
 * A created file's change. Its diff (every line added) is made when someone reads it: a first apply
 * of 100,000 systems would otherwise build and hold 300,000 diffs that a compact plan never shows. A
 * class, not a getter defined on each object: 60,000 of those cost 30 MB of closures at 10,000 systems.
 * JSON (saved plans, --json) carries the diff as a plain change would; a spread would not, so none is made.
 */
class CreatedFile implements FileChange {
  readonly action = "create" as const;
  readonly removed = 0;
  readonly added: number;
  drift?: FileChange["drift"];
  #text: string;
  #diff: string | undefined;

  constructor(readonly path: string, text: string) {
    this.#text = text;
    this.added = lineCount(text);
  }

  get diff(): string {
    return (this.#diff ??= unifiedDiff(this.path, "create", undefined, this.#text));
  }

  set diff(text: string) {
    this.#diff = text;
  }

  toJSON(): FileChange {
    return { path: this.path, action: this.action, added: this.added, removed: this.removed, diff: this.diff, ...(this.drift ? { drift: this.drift } : {}) };
  }
}

/** One file's change as a unified diff, secrets masked; `before`/`after` undefined for a file created or removed. */
export function fileChange(path: string, before: string | undefined, after: string | undefined): FileChange {
  const action = before === undefined ? "create" : after === undefined ? "delete" : "update";
  if (action === "create") return new CreatedFile(path, after ?? "");
  const diff = unifiedDiff(path, action, before, after);
  return { path, action, ...countLines(diff), diff };
}

/**
 * Unified diffs of the rendered files that differ, secrets masked. A state records only each file's
 * digest (`oldDigests`): a changed file then shows its new text whole, its old text not being kept.
 */
export function diffFiles(olds: Record<string, string> | undefined, news: Record<string, string> | undefined, oldDigests?: Record<string, string>): FileChange[] {
  const out: FileChange[] = [];
  const o = olds ?? {}, n = news ?? {};
  const known = oldDigests ?? {};
  const newDigests = oldDigests ? fileDigests(n) : {};
  for (const path of [...new Set([...Object.keys(o), ...Object.keys(known), ...Object.keys(n)])].sort()) {
    const inOld = path in o || path in known;
    if (path in o ? o[path] === n[path] : path in known && known[path] === newDigests[path]) continue;
    const before = path in o ? o[path] : inOld ? `(previous text not kept in state: sha256 ${known[path]})\n` : undefined;
    out.push(fileChange(path, before, path in n ? n[path] : undefined));
  }
  return out;
}
