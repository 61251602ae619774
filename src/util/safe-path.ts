/** Keeps every write inside the provisioning root, whatever a name, MAC or template produced. */
import { lstatSync, mkdirSync, realpathSync } from "node:fs";
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

/**
 * Creates the parent folders of `abs` and checks, after symlinks are resolved, that they are still
 * inside `root`: a link planted in the tree must not redirect a write elsewhere.
 */
export function ensureParentInside(root: string, abs: string): void {
  const parent = dirname(abs);
  mkdirSync(parent, { recursive: true });
  const realRoot = realpathSync(root);
  const realParent = realpathSync(parent);
  const back = relative(realRoot, realParent);
  if (back.startsWith("..") || isAbsolute(back)) {
    throw new PathEscapeError(`refusing to write ${abs}: ${parent} resolves to ${realParent}, outside the provisioning root`);
  }
  try {
    if (lstatSync(abs).isSymbolicLink()) throw new PathEscapeError(`refusing to write through the symbolic link ${abs}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** Joins with forward slashes for paths recorded in state and plans. */
export function toPosix(p: string): string {
  return p.split(sep).join("/");
}
