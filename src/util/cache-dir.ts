/** The folders bootplan keeps caches in beside a state file (`<state>.plugin-cache/`, `<state>.stack-cache/`). */
import { accessSync, constants, lstatSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * `dir`, made (mode 0700, with its parents) when missing; false when it cannot be made or written (a
 * read-only checkout) or is not a folder: through a link, files elsewhere would be trusted as bootplan's.
 */
export function writableCacheDir(dir: string): string | false {
  try {
    mkdirSync(dirname(dir), { recursive: true });
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (!lstatSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return false;
  }
}
