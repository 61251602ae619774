/**
 * What a crash leaves in the provisioning root: `.bootplan-tmp-<pid>-<n>` files from writes cut short
 * by kill -9 or a full disk, and files bootplan did not write in the folders it owns. Apply removes
 * the first kind (its own by name, once their writer is gone or they are old); plan reports both.
 */
import * as fs from "node:fs";
import { recordedPaths } from "./recorded-hashes.js";
import { TEMP_PREFIX } from "./fileset.js";
import { unlinkInside } from "../util/safe-path.js";

/** Folders under the root whose every file bootplan writes and records. */
export const OWNED_DIRS = ["tftp/pxelinux.cfg", "tftp/grub", "tftp/images", "http/ipxe", "http/answers"];

/** A temp file older than this is stale even if a process with its pid runs (pids are reused). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

const TEMP_NAME = new RegExp(`^${TEMP_PREFIX.replace(/[.]/g, "\\.")}(\\d+)-\\d+$`);

/** What plan reports about the root: leftover temp files and unexpected files (root-relative, sorted). */
export interface Leftovers {
  temps: string[];
  unexpected: string[];
  /**
   * Each folder walked (root-relative, "" the root) with its mtime and ctime as taken before it was read:
   * while none has moved, no entry came or went, and the same leftovers stand (see `leftoversStand`).
   */
  folders?: [rel: string, stamp: string][];
}

/** A folder's mtime and ctime in nanoseconds; null when it cannot be read. */
function folderStamp(abs: string): string | null {
  try {
    const st = fs.lstatSync(abs, { bigint: true });
    return st.isDirectory() ? `${st.mtimeNs}:${st.ctimeNs}` : null;
  } catch {
    return null;
  }
}

/**
 * True when every folder `found` walked is as it was then: adding, removing or renaming an entry moves
 * its folder's mtime and ctime (no tool can set ctime back), so the walk would find the same files.
 */
export function leftoversStand(root: string, found: Leftovers): boolean {
  return !!found.folders?.length && found.folders.every(([rel, stamp]) => folderStamp(rel ? `${root}/${rel}` : root) === stamp);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Walks the root without following links (links are reported as unexpected where they sit in owned
 * folders); `folder` is told of each folder before it is read, with its stamp.
 */
function walk(root: string, visit: (rel: string, ent: fs.Dirent, abs: string) => void, folder?: (rel: string, stamp: string | null) => void): void {
  const go = (abs: string, rel: string, depth: number): void => {
    folder?.(rel, folderStamp(abs));
    let ents: fs.Dirent[];
    try {
      ents = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      // Names from readdir hold no "/": joining by hand is path.join's result without its cost.
      if (e.isDirectory() && depth < 8) go(`${abs}/${e.name}`, r, depth + 1);
      else visit(r, e, `${abs}/${e.name}`);
    }
  };
  go(root, "", 0);
}

/** Temp files and files no resource recorded (`known`: root-relative paths recorded in state). */
export function findLeftovers(root: string, known: Set<string>): Leftovers {
  const out: Leftovers = { temps: [], unexpected: [] };
  if (!fs.existsSync(root)) return out;
  const folders: [string, string][] = [];
  let stampless = false;
  walk(root, (rel, e) => {
    if (TEMP_NAME.test(e.name)) out.temps.push(rel);
    else if (!known.has(rel) && OWNED_DIRS.some((d) => rel.startsWith(`${d}/`))) out.unexpected.push(rel);
  }, (rel, stamp) => (stamp === null ? (stampless = true) : folders.push([rel, stamp])));
  out.temps.sort();
  out.unexpected.sort();
  // A folder that could not be stamped cannot vouch for anything later.
  if (!stampless) out.folders = folders;
  return out;
}

/** Removes bootplan's own temp files left by an earlier run that is gone (or that are older than STALE_TEMP_MS); returns them. */
export function removeStaleTemps(root: string, now = Date.now()): string[] {
  const removed: string[] = [];
  if (!fs.existsSync(root)) return removed;
  walk(root, (rel, e, abs) => {
    const m = TEMP_NAME.exec(e.name);
    if (!m || !e.isFile()) return;
    let old = false;
    try {
      old = now - fs.lstatSync(abs).mtimeMs > STALE_TEMP_MS;
    } catch {
      return;
    }
    if (Number(m[1]) === process.pid || (alive(Number(m[1])) && !old)) return;
    if (unlinkInside(root, abs)) removed.push(rel);
  });
  return removed;
}

/** Every root-relative file path the state records. */
export function recordedFiles(state: { resources: Record<string, { outputs: Record<string, unknown> }> }): Set<string> {
  const known = new Set<string>();
  for (const r of Object.values(state.resources)) for (const p of recordedPaths(r.outputs)) known.add(p);
  return known;
}

/** Plan warnings for leftovers, a few names each. */
export function leftoverWarnings(root: string, l: Leftovers): string[] {
  const few = (xs: string[]): string => xs.slice(0, 5).join(", ") + (xs.length > 5 ? ` and ${xs.length - 5} more` : "");
  const out: string[] = [];
  if (l.temps.length) out.push(`${l.temps.length} temporary file(s) left in ${root} by an interrupted write (${few(l.temps)}); the next apply removes them`);
  if (l.unexpected.length) out.push(`${l.unexpected.length} file(s) in ${root} that bootplan did not write, in folders it owns (${few(l.unexpected)}); remove them or check who wrote them`);
  return out;
}
