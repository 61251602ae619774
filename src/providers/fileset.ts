/** The side effects behind the file-writing providers: write, verify, read back and remove files under the root. */
import { closeSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256Hex as sha256 } from "../util/hash.js";
import { revealSecrets } from "../secrets/secrets.js";
import { createFileInside, ensureParentInside, pathInside, readFileInside, rmdirInside, unlinkInside } from "../util/safe-path.js";

/** Name prefix of the temporary files a write goes through; `.bootplan-tmp-<pid>-<n>`, cleaned up by the next apply. */
export const TEMP_PREFIX = ".bootplan-tmp-";

let tmpCounter = 0;

/** An I/O failure on one file, worded so the user knows which file and what to do. */
function ioError(abs: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === undefined || (e as { isUserError?: boolean }).isUserError !== undefined) return err as Error;
  const hint = e.code === "ENOSPC" || e.code === "EDQUOT" ? "; free space on that file system and apply again"
    : e.code === "EACCES" || e.code === "EPERM" || e.code === "EROFS" ? "; check the permissions of the provisioning root"
    : "";
  return new Error(`cannot write ${abs}: ${e.code} (${String(e.message).split(",")[0].replace(/^\w+: /, "")})${hint}`);
}

/**
 * Writes `data` into a fresh temp file beside `abs`, then renames it over `abs`; the temp file never
 * outlives a failure. `absent`: the caller has just found nothing at `abs`, so the check for a link
 * there is skipped (one lstat per file of a first apply); rename would replace such a link, never follow it.
 */
function replaceInside(root: string, abs: string, fill: (fd: number) => void, absent = false): void {
  const tmp = join(dirname(abs), `${TEMP_PREFIX}${process.pid}-${++tmpCounter}`);
  try {
    const fd = createFileInside(root, tmp);
    try {
      fill(fd);
    } finally {
      closeSync(fd);
    }
    // rename replaces a link at `abs` itself, never its target; ensureParentInside refused links above it.
    if (!absent) ensureParentInside(root, abs);
    renameSync(tmp, abs);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw ioError(abs, err);
  }
}

/** Writes one file atomically (temp + rename) inside root; returns the sha256 of the bytes written. `absent`: see replaceInside. */
export function writeFileInside(root: string, rel: string, data: string | Buffer, absent = false): string {
  const abs = pathInside(root, rel);
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  replaceInside(root, abs, (fd) => {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  }, absent);
  return sha256(buf);
}

/**
 * Writes the files whose bytes differ from what was recorded (all of them when nothing was), with
 * secret markers replaced by their values. Returns the hash of every file's bytes as now on disk.
 * `absent`: paths the caller has just found missing (see replaceInside).
 */
export function writeFileSet(
  root: string,
  files: Record<string, string>,
  secrets: Record<string, string>,
  recorded: Record<string, string | null> = {},
  absent: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const rel of Object.keys(files).sort()) {
    const bytes = revealSecrets(files[rel], secrets);
    const h = sha256(bytes);
    hashes[rel] = recorded[rel] === h && readFileInside(root, pathInside(root, rel)) !== undefined ? h : writeFileInside(root, rel, bytes, absent.has(rel));
  }
  return hashes;
}

/** Removes files, but only those still holding the bytes bootplan wrote: another resource may own the path now. */
export function removeFileSet(root: string, hashes: Record<string, string | null>): void {
  for (const [rel, expected] of Object.entries(hashes)) {
    const abs = pathInside(root, rel);
    const bytes = readFileInside(root, abs);
    if (bytes === undefined) continue;
    if (expected && sha256(bytes) !== expected) continue;
    unlinkInside(root, abs);
    pruneEmptyDirs(root, dirname(abs));
  }
}

function pruneEmptyDirs(root: string, dir: string): void {
  // Only folders bootplan creates per resource (images/<distro>, answers/<system>) are worth removing.
  if (!/[/\\](images|answers)[/\\][^/\\]+$/.test(dir) || !dir.startsWith(root)) return;
  rmdirInside(root, dir);
}

/** The sha256 of each file as it is on disk now; null for a missing file. */
export function readFileHashes(root: string, rels: Iterable<string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const rel of rels) {
    const bytes = readFileInside(root, pathInside(root, rel));
    out[rel] = bytes === undefined ? null : sha256(bytes);
  }
  return out;
}

/** Copies a hosted boot file into the root after checking its sha256; a mismatch names the file and both hashes. */
export function copyVerified(root: string, source: string, target: string, expected: string): string {
  const data = readFileSync(source);
  const actual = sha256(data);
  if (actual !== expected) throw new Error(`${source} has sha256 ${actual}, expected ${expected}`);
  writeFileInside(root, target, data);
  return actual;
}
