/** Reading large text files (a fleet's state, its stack files) without decoding ASCII as UTF-8. */
import { isAscii } from "node:buffer";
import { readFileSync } from "node:fs";

/**
 * The file's text, as `readFileSync(path, "utf8")` returns it. Bootplan's own files are almost always
 * ASCII; checking that first and copying the bytes is twice as fast as decoding them (a 100,000-system
 * state: 0.4 s instead of 0.8 s).
 */
export function readTextFile(path: string): string {
  const bytes = readFileSync(path);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}
