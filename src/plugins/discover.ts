/**
 * Where a stack's plugin code lives: every module directly in `plugins/` is a plugin (NAME.ts defines
 * plugin NAME); every file below `plugins/` (helpers a plugin imports, too) feeds the stack's fingerprint.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { listFiles } from "../stack/discover.js";

/** The folder, relative to the stack, whose modules are plugins. */
export const PLUGIN_DIR = "plugins";

/** Extensions of plugin modules, in the order a name is looked up. */
export const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

const isModule = (rel: string): boolean => !rel.endsWith(".d.ts") && MODULE_EXTENSIONS.some((e) => rel.endsWith(e));
const isCode = (rel: string): boolean => !rel.endsWith(".yaml") && !rel.endsWith(".yml");

/** The code files below plugins/ (relative to the stack, forward slashes, sorted); none without the folder. */
export function pluginCodeFiles(stackDir: string): string[] {
  const dir = join(stackDir, PLUGIN_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return listFiles(dir, isCode).map((rel) => `${PLUGIN_DIR}/${rel}`);
}

/** The plugin modules directly in plugins/, by plugin name (the file name without its extension). */
export function pluginModules(stackDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of pluginCodeFiles(stackDir)) {
    const base = rel.slice(PLUGIN_DIR.length + 1);
    if (base.includes("/") || !isModule(base)) continue;
    const name = base.replace(/\.(d\.)?[mc]?[jt]s$/, "");
    if (!out.has(name)) out.set(name, rel);
  }
  return out;
}

/** Why the code below plugins/ differs from the fingerprint inputs (a file added); undefined when it does not. */
export function pluginFilesAdded(stackDir: string, inputs: string[]): string | undefined {
  const known = new Set(inputs.filter((i) => i.startsWith("plugin:")).map((i) => i.slice("plugin:".length, i.lastIndexOf(":"))));
  return pluginCodeFiles(stackDir).find((rel) => !known.has(rel));
}
