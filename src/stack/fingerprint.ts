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
  for (const entry of inputs) {
    const first = entry.indexOf(":"), last = entry.lastIndexOf(":");
    const kind = entry.slice(0, first), rel = entry.slice(first + 1, last), hash = entry.slice(last + 1);
    if (kind === "yaml") yaml.add(rel);
    const abs = join(dir, rel);
    if (!existsSync(abs)) return `${rel} is gone`;
    if (sha256(readFileSync(abs)) !== hash) return `${rel} changed`;
  }
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
