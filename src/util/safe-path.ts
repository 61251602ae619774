/**
 * Keeps every file operation inside the provisioning root, whatever a name, MAC, template or a link
 * planted in the tree says. Rule: below the root, no path component may be a symbolic link (or a
 * non-directory where a directory belongs). Each operation walks the components with lstat, creates
 * missing directories one level at a time (never `mkdir -p`, which follows links), and opens files
 * with O_NOFOLLOW. The root itself may be a link (an operator's choice); nothing under it may.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { PathEscapeError } from "../errors.js";

/** Resolves `rel` under `root`, refusing absolute paths, `..`, backslashes, NUL and empty segments. */
export function pathInside(root: string, rel: string): string {
  if (!rel || isAbsolute(rel) || rel.includes("\\") || rel.includes("\0")) {
    throw new PathEscapeError(`refusing to write ${JSON.stringify(rel)}: not a plain relative path under the provisioning root`);
  }
  const segs = rel.split("/");
  if (segs.some((s) => s === "" || s === "." || s === "..")) {
    throw new PathEscapeError(`refusing to write ${JSON.stringify(rel)}: it would leave the provisioning root`);
  }
  return join(root, ...segs);
}

/** The components of `abs` below `root` (empty for the root itself); throws when abs is not below root. */
function segmentsBelow(root: string, abs: string): string[] {
  const rel = relative(root, abs);
  if (rel === "") return [];
  if (rel.startsWith("..") || isAbsolute(rel)) throw new PathEscapeError(`refusing ${abs}: it is not inside the provisioning root ${root}`);
  return rel.split(sep);
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function linkError(p: string, verb: string): PathEscapeError {
  let target = "";
  try {
    target = ` to ${fs.readlinkSync(p)}`;
  } catch {
    /* not a link after all, or gone */
  }
  return new PathEscapeError(`refusing to ${verb} through ${p}: it is a symbolic link${target}, which could lead outside the provisioning root; remove it`);
}

/**
 * Directories an apply has already walked (`root\0dir`): checking every level of every file's folder
 * again costs an apply of 100,000 systems millions of lstat calls. Remembered for one apply only (see
 * withVerifiedDirs), so a link planted between two commands is always found; a link swapped in while
 * an apply runs is a race the per-call walk could not win either (Node has no openat).
 */
const verifiedDirs = new AsyncLocalStorage<Set<string>>();

/** Runs `fn` (one apply) remembering the directories it has checked or made. */
export function withVerifiedDirs<T>(fn: () => Promise<T>): Promise<T> {
  return verifiedDirs.run(new Set(), fn);
}

/** Forgets `dir` and everything below it (it was removed). */
function forgetDirs(root: string, dir: string): void {
  const seen = verifiedDirs.getStore();
  if (!seen) return;
  const key = `${root}\0${dir}`;
  for (const k of seen) if (k === key || k.startsWith(`${key}${sep}`)) seen.delete(k);
}

/**
 * Checks that every existing directory from `root` down to `dir` is a real directory, not a link;
 * creates the missing ones (one level at a time) when `create` is set. Returns false when a level is
 * missing and `create` is off.
 */
function walkDirs(root: string, dir: string, verb: string, create: boolean): boolean {
  const seen = verifiedDirs.getStore();
  const key = `${root}\0${dir}`;
  if (seen?.has(key)) return true;
  if (!walkDirsNow(root, dir, verb, create)) return false;
  seen?.add(key);
  return true;
}

function walkDirsNow(root: string, dir: string, verb: string, create: boolean): boolean {
  if (create) fs.mkdirSync(root, { recursive: true });
  let cur = root;
  for (const seg of segmentsBelow(root, dir)) {
    cur = join(cur, seg);
    let st = lstatOrUndefined(cur);
    if (!st) {
      if (!create) return false;
      try {
        fs.mkdirSync(cur);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      st = fs.lstatSync(cur);
    }
    if (st.isSymbolicLink()) throw linkError(cur, verb);
    if (!st.isDirectory()) throw new PathEscapeError(`refusing to ${verb} ${dir}: ${cur} is not a directory`);
  }
  return true;
}

/** Creates the parent folders of `abs` inside `root`, refusing any link on the way or at `abs` itself. */
export function ensureParentInside(root: string, abs: string): void {
  walkDirs(root, dirname(abs), "write", true);
  if (lstatOrUndefined(abs)?.isSymbolicLink()) throw linkError(abs, "write");
}

/** Opens a file under root for reading without following any link; undefined when it or a parent is missing. */
export function readFileInside(root: string, abs: string): Buffer | undefined {
  return walkDirs(root, dirname(abs), "read", false) ? readWalked(abs) : undefined;
}

/** readFileInside once the folders above `abs` are checked. */
function readWalked(abs: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw linkError(abs, "read");
    throw err;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new PathEscapeError(`refusing to read ${abs}: not a regular file`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A file under root as it is now, for deciding what a write would replace: "absent" when it or a parent
 * folder does not exist, else its bytes; a link refused as readFileInside refuses it. It asks lstat
 * first: most files a first apply writes do not exist yet, and a failed lstat costs half a failed open.
 */
export function probeFileInside(root: string, abs: string): Buffer | "absent" {
  if (!walkDirs(root, dirname(abs), "read", false)) return "absent";
  const st = lstatOrUndefined(abs);
  if (!st) return "absent";
  if (st.isSymbolicLink()) throw linkError(abs, "read");
  return readWalked(abs) ?? "absent";
}

/** Removes one file under root without following links; false when it or a parent is missing. */
export function unlinkInside(root: string, abs: string): boolean {
  if (!walkDirs(root, dirname(abs), "delete", false)) return false;
  try {
    // unlink never follows a link at the last component: a planted link is removed, not its target.
    fs.unlinkSync(abs);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

/** Removes an empty directory under root (never through a link); false when it is not empty, not a directory or gone. */
export function rmdirInside(root: string, dir: string): boolean {
  if (!walkDirs(root, dirname(dir), "delete", false)) return false;
  const st = lstatOrUndefined(dir);
  if (!st || !st.isDirectory()) return false;
  try {
    fs.rmdirSync(dir);
    forgetDirs(root, dir);
    return true;
  } catch {
    return false; // not empty, or gone
  }
}

/**
 * Opens a new file for writing under root (exclusive, never through a link); returns its descriptor.
 * No lstat of the file itself: O_CREAT|O_EXCL fails on anything already there, a link included.
 */
export function createFileInside(root: string, abs: string, mode = 0o644): number {
  walkDirs(root, dirname(abs), "write", true);
  const flags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  try {
    return fs.openSync(abs, flags, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && lstatOrUndefined(abs)?.isSymbolicLink()) throw linkError(abs, "write");
    // A remembered folder someone removed since: walk (and make) it again, once.
    if (code !== "ENOENT" || !verifiedDirs.getStore()) throw err;
    forgetDirs(root, dirname(abs));
    walkDirs(root, dirname(abs), "write", true);
    return fs.openSync(abs, flags, mode);
  }
}

/** Joins with forward slashes for paths recorded in state and plans. */
export function toPosix(p: string): string {
  return p.split(sep).join("/");
}
