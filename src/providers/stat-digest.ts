/**
 * The stat digest that lets a refresh skip reading files: a short hash of each file's size, mtime,
 * ctime and inode. Unchanged means the bytes are as last hashed (a write by anyone moves ctime, which
 * no tool can set back). Kept free of heavier imports: the stat prefetch worker loads it too.
 */
import { lstatSync } from "node:fs";
import { sha256Hex } from "../util/hash.js";
import { pathInside } from "../util/safe-path.js";

/** A plain relative path: no leading "/", no empty, "." or ".." segment, no backslash or NUL. */
const PLAIN_RELATIVE = /^(?!\.\.?(?:\/|$))(?!.*\/\.\.?(?:\/|$))[^/\\\0]+(?:\/[^/\\\0]+)*$/;

/** pathInside for the refresh's hot loop: the same refusals, joined without re-normalizing. */
function inside(root: string, rel: string): string {
  return PLAIN_RELATIVE.test(rel) ? `${root}/${rel}` : pathInside(root, rel);
}

/** The stat digest of `rels` under `root`, read from disk now. */
export function statDigest(root: string, rels: string[]): string {
  const parts: string[] = [];
  for (const rel of rels) {
    try {
      const st = lstatSync(inside(root, rel), { bigint: true });
      parts.push(`${rel}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}\0${st.ino}`);
    } catch {
      parts.push(`${rel}\0-`);
    }
  }
  return sha256Hex(parts.join("\n")).slice(0, 16);
}
