/** Hashes of bootplan's own code, so what is kept between runs (renderings, parsed stack files) goes stale with it. */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const fingerprints = new Map<string, string>();

/**
 * A hash of every file below `dir` (a folder's URL) whose name matches `files` (modules by default),
 * computed once per process; a missing folder hashes as empty.
 */
export function codeFingerprint(dir: URL, files = /\.(js|ts)$/): string {
  const id = `${dir.href}\0${files.source}`;
  const known = fingerprints.get(id);
  if (known) return known;
  const h = createHash("sha256");
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (files.test(e.name) && !e.name.endsWith(".d.ts")) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(fileURLToPath(dir));
  const hash = h.digest("hex");
  fingerprints.set(id, hash);
  return hash;
}
