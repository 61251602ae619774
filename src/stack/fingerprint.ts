/**
 * Re-checks a stack's fingerprint without loading it: every file that fed the fingerprint is hashed
 * again, and the set of YAML files is discovered again. Applying a saved plan needs only to know that
 * the stack is byte-for-byte the one planned, and this answers that in milliseconds.
 */
import { sha256Hex as sha256 } from "../util/hash.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import jsyaml from "js-yaml";
import { discoverStackFiles } from "./discover.js";
import { pluginFilesAdded } from "../plugins/discover.js";


/** Why the stack in `dir` differs from the fingerprint inputs recorded for it; undefined when it is the same. */
export function fingerprintChange(dir: string, inputs: string[]): string | undefined {
  const yaml = new Set<string>();
  for (const { kind, rel, now } of inputsNow(dir, inputs)) {
    if (kind === "yaml") yaml.add(rel);
    if (now !== "same") return `${rel} ${now === "gone" ? "is gone" : "changed"}`;
  }
  return fileAdded(dir, yaml, inputs);
}

/**
 * The YAML files of the stack in `dir` whose text changed since `inputs` were recorded (none: the stack
 * is the same); undefined when anything else changed too (a template, a package or plugin file, a hosted
 * boot file, a file added or removed).
 */
export function changedStackYaml(dir: string, inputs: string[]): string[] | undefined {
  const yaml = new Set<string>();
  const changed: string[] = [];
  for (const { kind, rel, now } of inputsNow(dir, inputs)) {
    if (kind === "yaml") yaml.add(rel);
    if (now === "same") continue;
    if (now === "gone" || kind !== "yaml") return undefined;
    changed.push(rel);
  }
  return fileAdded(dir, yaml, inputs) === undefined ? changed : undefined;
}

/** Each fingerprint input (`kind:path:sha256`), read again from `dir`: the same, changed or gone. */
function* inputsNow(dir: string, inputs: string[]): Generator<{ kind: string; rel: string; now: "same" | "changed" | "gone" }> {
  for (const entry of inputs) {
    const first = entry.indexOf(":"), last = entry.lastIndexOf(":");
    const kind = entry.slice(0, first), rel = entry.slice(first + 1, last);
    const abs = join(dir, rel);
    yield { kind, rel, now: !existsSync(abs) ? "gone" : sha256(readFileSync(abs)) === entry.slice(last + 1) ? "same" : "changed" };
  }
}

/** A stack or plugin file now in `dir` that `inputs` (with `yaml`, their YAML files) do not know, or one gone. */
function fileAdded(dir: string, yaml: Set<string>, inputs: string[]): string | undefined {
  let include: string[] | undefined;
  try {
    include = (jsyaml.load(readFileSync(join(dir, "stack.yaml"), "utf8"), { schema: jsyaml.CORE_SCHEMA }) as { include?: string[] })?.include;
  } catch {
    return "stack.yaml no longer parses";
  }
  const now = discoverStackFiles(dir, Array.isArray(include) ? include : undefined);
  const added = now.find((rel) => !yaml.has(rel));
  if (added) return `${added} was added`;
  if (now.length !== yaml.size) return "a stack file was removed";
  const plugin = pluginFilesAdded(dir, inputs);
  if (plugin) return `${plugin} was added`;
  return undefined;
}

/** A line at the left margin other than `systems:`, a comment or a document marker. */
const OTHER_TOP_LEVEL = /^(?!systems[ \t]*:[ \t]*(?:#.*)?\r?$|(?:---|\.\.\.)[ \t]*\r?$)[^\s#]/m;

/**
 * True when a stack file's text declares systems alone: nothing at its left margin but `systems:`,
 * comments and document markers. Judged on the text, so a flow-style or quoted top level counts as more.
 */
export function declaresSystemsOnly(text: string): boolean {
  return !OTHER_TOP_LEVEL.test(text);
}
