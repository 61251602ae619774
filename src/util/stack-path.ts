/** Paths recorded in state, plans and output: relative to the stack directory, never the checkout's absolute path. */
import { isAbsolute, relative, sep } from "node:path";

/** `abs` relative to `dir` with forward slashes ("." for `dir` itself); absolute paths outside `dir` stay absolute. */
export function stackRelative(dir: string, abs: string): string {
  const rel = relative(dir, abs);
  if (rel === "") return ".";
  if (isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) return abs;
  return rel.split(sep).join("/");
}
