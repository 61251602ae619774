/**
 * Finds the state file of a stack from its stack.yaml without loading the stack: `bootplan enc` and
 * `inventory` run once per CM agent run. A line scan reads `state.path`; the YAML library only an
 * unusual stack.yaml.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CmLookupError } from "./errors.js";

/** Reads `state.path` from stack.yaml text with a line scan; null when the text is too unusual to be sure. */
export function statePathFromStackYaml(text: string): string | undefined | null {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => /^state\s*:/.test(l));
  if (i < 0) return undefined;
  const unquote = (v: string): string | null => {
    const m = /^\s*(?:"([^"\\]*)"|'([^']*)'|([^\s"'#,{}[\]&*!|>][^\s#,{}]*))\s*(?:#.*)?$/.exec(v);
    return m ? (m[1] ?? m[2] ?? m[3]) : null;
  };
  const rest = lines[i].replace(/^state\s*:/, "").trim();
  if (rest.startsWith("{")) {
    const m = /^\{(.*)\}\s*(#.*)?$/.exec(rest);
    if (!m) return null;
    const path = m[1].split(",").map((kv) => /^\s*path\s*:(.*)$/.exec(kv)).find(Boolean);
    return path ? unquote(path[1]) : undefined;
  }
  if (rest && !rest.startsWith("#")) return null;
  for (const l of lines.slice(i + 1)) {
    if (/^\S/.test(l) && !l.startsWith("#")) break;
    const m = /^\s+path\s*:(.*)$/.exec(l);
    if (m) return unquote(m[1]);
  }
  return undefined;
}

/** The state file to read: `--state FILE`, else the one stack.yaml in `dir` names (default .bootplan/state.json). */
export async function locateState(dir: string, state?: string): Promise<string> {
  if (state) return resolve(state);
  const stackYaml = join(resolve(dir), "stack.yaml");
  if (!existsSync(stackYaml)) throw new CmLookupError("cm.no-stack", `${dir}: not a stack (no stack.yaml in it); pass the stack directory or --state FILE`);
  const text = readFileSync(stackYaml, "utf8");
  let rel = statePathFromStackYaml(text);
  if (rel === null) {
    const { parse } = await import("yaml");
    rel = ((parse(text) as { state?: { path?: string } } | null)?.state?.path) ?? undefined;
  }
  return resolve(dirname(stackYaml), rel ?? ".bootplan/state.json");
}
