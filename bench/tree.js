// Lists every file under a directory with its modification time, to see what a run rewrote.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Map of relative path -> mtimeMs (ns precision) for every file below `dir`. */
export function listTree(dir) {
  const out = new Map();
  const walk = (d, rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name), r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else out.set(r, statSync(p, { bigint: true }).mtimeNs + ":" + statSync(p).ino);
    }
  };
  walk(dir, "");
  return out;
}
