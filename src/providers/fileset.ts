/** The side effects behind the file-writing providers: write, verify, read back and remove files under the root. */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256Hex as sha256 } from "../util/hash.js";
import { revealSecrets } from "../secrets/secrets.js";
import { ensureParentInside, pathInside } from "../util/safe-path.js";

let tmpCounter = 0;

/** Writes one file atomically (temp + rename) inside root; returns the sha256 of the bytes written. */
export function writeFileInside(root: string, rel: string, data: string | Buffer): string {
  mkdirSync(root, { recursive: true });
  const abs = pathInside(root, rel);
  ensureParentInside(root, abs);
  const tmp = join(dirname(abs), `.bootplan-tmp-${process.pid}-${++tmpCounter}`);
  writeFileSync(tmp, data, { mode: 0o644 });
  renameSync(tmp, abs);
  return sha256(data);
}

/**
 * Writes the files whose bytes differ from what was recorded (all of them when nothing was), with
 * secret markers replaced by their values. Returns the hash of every file's bytes as now on disk.
 */
export function writeFileSet(
  root: string,
  files: Record<string, string>,
  secrets: Record<string, string>,
  recorded: Record<string, string | null> = {},
): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const rel of Object.keys(files).sort()) {
    const bytes = revealSecrets(files[rel], secrets);
    const h = sha256(bytes);
    hashes[rel] = recorded[rel] === h && existsSync(pathInside(root, rel)) ? h : writeFileInside(root, rel, bytes);
  }
  return hashes;
}

/** Removes files, but only those still holding the bytes bootplan wrote: another resource may own the path now. */
export function removeFileSet(root: string, hashes: Record<string, string | null>): void {
  for (const [rel, expected] of Object.entries(hashes)) {
    const abs = pathInside(root, rel);
    if (!existsSync(abs)) continue;
    if (expected && sha256(readFileSync(abs)) !== expected) continue;
    unlinkSync(abs);
    pruneEmptyDirs(root, dirname(abs));
  }
}

function pruneEmptyDirs(root: string, dir: string): void {
  // Only folders bootplan creates per resource (images/<distro>, answers/<system>) are worth removing.
  if (!/[/\\](images|answers)[/\\][^/\\]+$/.test(dir) || !dir.startsWith(root)) return;
  try {
    rmdirSync(dir);
  } catch {
    /* not empty, or gone: either way nothing to do */
  }
}

/** The sha256 of each file as it is on disk now; null for a missing file. */
export function readFileHashes(root: string, rels: Iterable<string>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const rel of rels) {
    const abs = pathInside(root, rel);
    out[rel] = existsSync(abs) ? sha256(readFileSync(abs)) : null;
  }
  return out;
}

/** Copies a hosted boot file into the root after checking its sha256; a mismatch names the file and both hashes. */
export function copyVerified(root: string, source: string, target: string, expected: string): string {
  const actual = sha256(readFileSync(source));
  if (actual !== expected) throw new Error(`${source} has sha256 ${actual}, expected ${expected}`);
  const abs = pathInside(root, target);
  ensureParentInside(root, abs);
  const tmp = join(dirname(abs), `.bootplan-tmp-${process.pid}-${++tmpCounter}`);
  copyFileSync(source, tmp);
  renameSync(tmp, abs);
  return actual;
}
