/**
 * What is really on disk for a file-writing resource: where its recorded relative paths resolve at run
 * time, the files' hashes (stat first, full hash only when size/mtime/ctime/inode moved or when asked),
 * their text for a plan's diff, and the backup of bytes someone changed before apply overwrites them.
 */
import { isAbsolute, resolve } from "node:path";
import { pathInside, readFileInside } from "../util/safe-path.js";
import { secretMarker } from "../secrets/secrets.js";
import { readFileHashes, writeFileInside } from "./fileset.js";
import { statDigest } from "./stat-digest.js";
import { prefetchedStatDigest } from "./stat-prefetch.js";
import { filesKey, recordedHashes } from "./recorded-hashes.js";
import { RUNTIME_INPUT, SECRET_INPUT, type ProviderRuntime } from "./types.js";

type Props = Record<string, unknown>;
type Hashes = Record<string, string | null>;

/** Folder under the provisioning root where overwritten bytes are kept: `<root>/.bootplan-drift/<time>/<path>`. */
export const DRIFT_DIR = ".bootplan-drift";

/** Largest file whose text a plan shows in a drift diff; bigger or binary files show as hashes only. */
const MAX_DIFF_BYTES = 256 * 1024;

function runtimeOf(props: Props): ProviderRuntime | undefined {
  return props[RUNTIME_INPUT] as ProviderRuntime | undefined;
}

/** Resolves a recorded path (relative to the stack directory, or absolute in states written before 0.2). */
export function resolveRecorded(props: Props, path: string): string {
  if (isAbsolute(path)) return path;
  return resolve(runtimeOf(props)?.base ?? process.cwd(), path);
}

/** The absolute provisioning root of a resource at run time. */
export function rootOf(props: Props): string {
  return resolveRecorded(props, props.root as string);
}

/**
 * The hash of each recorded file as on disk (null: missing), with the stat digest of the files. With
 * `refresh: "stat"` (the default) and a stat digest equal to the recorded one, no byte is read and
 * `hashes` is undefined: the files are as recorded.
 */
export function actualHashes(props: Props, rels: string[]): { hashes?: Hashes; stat: string } {
  const root = rootOf(props);
  // During a plan's refresh the worker has usually taken it already (see stat-prefetch.ts).
  const stat = prefetchedStatDigest(filesKey(props), root) ?? statDigest(root, rels);
  const trusted = runtimeOf(props)?.refresh !== "full" && stat === props.fileStat;
  return { hashes: trusted ? undefined : readFileHashes(root, rels), stat };
}

/**
 * Hides secrets whose value is not known any more (rotated since the file was written): wherever the
 * recorded text had a marker on a line, a line on disk with the same text around it gets the marker
 * back in place of whatever stands there.
 */
export function concealByShape(text: string, recorded: string | undefined): string {
  if (!recorded?.includes("((secret:")) return text;
  const shapes = recorded.split("\n").flatMap((line) => {
    const m = /^(.*?)(\(\(secret:[^)]+\)\))(.*)$/.exec(line);
    return m ? [{ before: m[1], marker: m[2], after: m[3] }] : [];
  });
  return text.split("\n").map((line) => {
    const s = shapes.find((x) => line.startsWith(x.before) && line.endsWith(x.after) && line.length > x.before.length + x.after.length);
    return s ? s.before + s.marker + s.after : line;
  }).join("\n");
}

/** A file's text with secret values turned back into markers; null when missing, binary or large. */
function concealedText(root: string, abs: string, secrets: Record<string, string>, recorded?: string): string | null {
  const bytes = readFileInside(root, abs);
  if (!bytes || bytes.length > MAX_DIFF_BYTES || bytes.includes(0)) return null;
  let text = bytes.toString("utf8");
  for (const [name, value] of Object.entries(secrets)) if (value) text = text.split(value).join(secretMarker(name));
  return concealByShape(text, recorded);
}

/** Text on disk of the files whose hash differs from the record (and exist), for the plan's diff. */
export function changedText(props: Props, hashes: Hashes): Record<string, string | null> {
  const root = rootOf(props);
  const recorded = recordedHashes(props);
  const secrets = (props[SECRET_INPUT] ?? {}) as Record<string, string>;
  const texts = (props.files ?? {}) as Record<string, string>;
  const out: Record<string, string | null> = {};
  for (const [rel, h] of Object.entries(hashes)) if (h !== null && h !== recorded[rel]) out[rel] = concealedText(root, pathInside(root, rel), secrets, texts[rel]);
  return out;
}

/** A folder-safe timestamp for one apply's drift backups, e.g. 2026-11-23T19-41-05Z. */
export function driftStamp(now = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
}

/**
 * Keeps the bytes of each file in `rels` under `<root>/.bootplan-drift/<stamp>/` before they are
 * overwritten. Returns the backup paths, relative to the root.
 */
export function backUp(root: string, rels: string[], stamp: string): string[] {
  return rels.map((rel) => {
    const to = `${DRIFT_DIR}/${stamp}/${rel}`;
    // Never through a link: the bytes kept are the file's own, not those of whatever a link points at.
    writeFileInside(root, to, readFileInside(root, pathInside(root, rel)) ?? Buffer.alloc(0));
    return to;
  });
}
