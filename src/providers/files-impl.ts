/** The file-writing half of the distro and system providers, kept out of the provider objects so they serialize. */
import { sha256Hex } from "../util/hash.js";
import { revealSecrets } from "../secrets/secrets.js";
import { ON_DISK_OUTPUT, RUNTIME_INPUT, SECRET_INPUT, withoutTransient, type ProviderRuntime } from "./types.js";
import { copyVerified, removeFileSet, writeFileSet } from "./fileset.js";
import { pathInside, probeFileInside } from "../util/safe-path.js";
import { withFileDigests } from "./file-digests.js";
import { PathEscapeError } from "../errors.js";
import { actualHashes, backUp, changedText, driftStamp, resolveRecorded, rootOf } from "./on-disk.js";
import { statDigest } from "./stat-digest.js";
import { hashesToRecord, recordedHashes, recordedPaths } from "./recorded-hashes.js";

type Props = Record<string, unknown>;
type Hashes = Record<string, string | null>;

interface HostedFile {
  source: string;
  sha256: string;
  target: string;
}

/** The hosted files a resource copies into the root: a distro's kernel and initrd when not linked, a boot loader once its package is installed. */
function hostedFiles(props: Props): HostedFile[] {
  return ["kernel", "initrd", "loader"]
    .map((k) => props[k] as Partial<HostedFile> | undefined)
    .filter((f): f is HostedFile => !!f && typeof f.source === "string" && typeof f.sha256 === "string");
}

/**
 * A file's hash, or null when it is missing (then noted in `absent`) or cannot be read safely (the
 * write that follows then refuses it with its own reason).
 */
function hashOrNull(root: string, rel: string, absent: Set<string>): string | null {
  try {
    const found = probeFileInside(root, pathInside(root, rel));
    if (found !== "absent") return sha256Hex(found);
    absent.add(rel);
    return null;
  } catch (err) {
    if (err instanceof PathEscapeError) return null;
    throw err;
  }
}

/**
 * What is on disk now at every path the resource had or will have: recorded files through the
 * stat-first check, others hashed when they exist (a replaced resource's leftovers, a stranger's file).
 */
function onDiskBefore(news: Props, olds: Props | undefined, wanted: string[]): { hashes: Hashes; absent: Set<string> } {
  const root = rootOf(news);
  const recorded = olds ? recordedHashes(olds) : {};
  const recordedRels = Object.keys(recorded);
  const full = (news[RUNTIME_INPUT] as ProviderRuntime | undefined)?.refresh === "full";
  const trusted = !!olds && !full && statDigest(root, recordedRels) === olds.fileStat;
  const hashes: Hashes = trusted ? { ...recorded } : {};
  const absent = new Set<string>();
  for (const rel of new Set([...recordedRels, ...wanted])) if (!(rel in hashes)) hashes[rel] = hashOrNull(root, rel, absent);
  return { hashes, absent };
}

/** Writes what `news` describes, skipping files already so on disk, and removes files `news` no longer has. */
export function applyFiles(news: Props, olds?: Props): Props {
  const root = rootOf(news);
  const recorded = olds ? recordedHashes(olds) : {};
  const secrets = (news[SECRET_INPUT] ?? {}) as Record<string, string>;
  const files = (news.files ?? {}) as Record<string, string>;
  const hosted = hostedFiles(news);
  const desired: Record<string, string> = {};
  for (const rel of Object.keys(files)) desired[rel] = sha256Hex(revealSecrets(files[rel], secrets));
  for (const f of hosted) desired[f.target] = f.sha256;
  const { hashes: onDisk, absent } = onDiskBefore(news, olds, Object.keys(desired));
  // Bytes that are neither what bootplan recorded nor what it will write were put there by someone
  // else: keep them under <root>/.bootplan-drift/ before overwriting (the plan said so).
  const strangers = Object.keys(desired).filter((rel) => onDisk[rel] && onDisk[rel] !== desired[rel] && onDisk[rel] !== recorded[rel]);
  if (strangers.length) backUp(root, strangers, (news[RUNTIME_INPUT] as ProviderRuntime | undefined)?.stamp ?? driftStamp());
  const hashes: Record<string, string> = writeFileSet(root, files, secrets, onDisk, absent);
  for (const f of hosted) hashes[f.target] = onDisk[f.target] === f.sha256 ? f.sha256 : copyVerified(root, resolveRecorded(news, f.source), f.target, f.sha256);
  if (olds) {
    const gone = Object.fromEntries(Object.entries(recorded).filter(([p]) => !(p in hashes)));
    removeFileSet(rootOf({ ...olds, [RUNTIME_INPUT]: news[RUNTIME_INPUT] }), gone);
  }
  // The state keeps each file's digest, not its text (rendered again whenever it must be written), and
  // the hash of its bytes only where that is not the digest (see recorded-hashes.ts).
  const { fileHashes: _stale, ...outs } = withFileDigests(withoutTransient(news));
  const own = hashesToRecord(hashes, outs.fileDigests as Record<string, string> | undefined);
  return { ...outs, ...(own ? { fileHashes: own } : {}), fileStat: statDigest(root, Object.keys(hashes)) };
}

/**
 * The recorded props with each file's hash as it is on disk now (null when missing), the stat digest
 * that vouches for them, and (transient) the text of the files found changed.
 */
export function readFiles(props: Props): Props {
  const { hashes, stat } = actualHashes(props, recordedPaths(props));
  // Unchanged stat: the record stands as it is. The run-time inputs stay for a caller that reads more
  // (a system's facts over SSH need its secrets); the engine strips them before comparing or recording.
  if (!hashes) return props;
  const text = changedText(props, hashes);
  return { ...props, fileHashes: hashes, fileStat: stat, ...(Object.keys(text).length ? { [ON_DISK_OUTPUT]: text } : {}) };
}

/** Removes the files a resource wrote, leaving any that someone else has since replaced. */
export function deleteFiles(props: Props): void {
  removeFileSet(rootOf(props), recordedHashes(props));
}
