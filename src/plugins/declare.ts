/**
 * Reads `plugins:` from a raw stack and finds the modules in plugins/: which plugins the stack has,
 * their module files (checked to exist inside the stack), options and selector overrides, and the
 * fingerprint inputs of all plugin code. Loading the modules happens later (plugins/load.ts).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { StackError } from "../errors.js";
import type { RawStack } from "../stack/raw.js";
import { formatDocPath, lazyPosition, locate } from "../stack/yaml.js";
import { sha256Hex } from "../util/hash.js";
import { MODULE_EXTENSIONS, PLUGIN_DIR, pluginCodeFiles, pluginModules } from "./discover.js";
import { compileSelector } from "./selector.js";
import type { PluginRef } from "./types.js";

/** The stack's plugins by name; every plugin code file's hash is pushed to `fp` as `plugin:REL:SHA`. */
export function resolvePlugins(raw: RawStack, errors: StackError[], fp: string[]): Record<string, PluginRef> {
  const modules = pluginModules(raw.dir);
  const hashed = new Set<string>();
  const hash = (rel: string): void => {
    if (hashed.has(rel)) return;
    hashed.add(rel);
    fp.push(`plugin:${rel}:${sha256Hex(readFileSync(join(raw.dir, rel)))}`);
  };
  pluginCodeFiles(raw.dir).forEach(hash);

  const out: Record<string, PluginRef> = {};
  for (const [name, rel] of modules) out[name] = { name, file: join(raw.dir, rel), rel, enabled: true };
  for (const e of raw.kinds.plugins.values()) {
    const v = e.value as { source?: string; options?: unknown; appliesTo?: unknown; enabled?: boolean };
    const at = (path: ReadonlyArray<string | number>, how: "key" | "value" = "value") => locate(e.file, [...e.path, ...path], how);
    let rel = modules.get(e.name);
    if (v.source !== undefined) {
      const abs = resolve(raw.dir, v.source);
      const back = relative(raw.dir, abs);
      if (back.startsWith("..") || isAbsolute(back)) {
        errors.push(new StackError("stack.path-escape", at(["source"]), `${formatDocPath([...e.path, "source"])}: ${JSON.stringify(v.source)} is outside the stack directory`));
        continue;
      }
      if (!existsSync(abs) || !statSync(abs).isFile()) {
        errors.push(new StackError("stack.missing-file", at(["source"]), `${formatDocPath([...e.path, "source"])}: no such plugin module ${JSON.stringify(v.source)}`));
        continue;
      }
      rel = back.split("\\").join("/");
      hash(rel);
    } else if (!rel) {
      const tried = MODULE_EXTENSIONS.map((x) => `${PLUGIN_DIR}/${e.name}${x}`).join(", ");
      errors.push(new StackError("plugin.not-found", at([], "key"), `${formatDocPath(e.path)}: no plugin module for ${JSON.stringify(e.name)} (looked for ${tried}); add one or give source:`));
      continue;
    }
    let appliesTo;
    if (v.appliesTo !== undefined) {
      const problems: string[] = [];
      appliesTo = compileSelector(v.appliesTo, () => formatPos(at(["appliesTo"], "key")), problems);
      for (const p of problems) errors.push(new StackError("plugin.invalid-selector", at(["appliesTo", ...p.split(":")[0].split(".")]), `${formatDocPath([...e.path, "appliesTo"])}.${p}`));
    }
    out[e.name] = {
      name: e.name, file: join(raw.dir, rel), rel, enabled: v.enabled !== false,
      ...(v.options !== undefined ? { options: v.options } : {}),
      ...(appliesTo ? { appliesTo } : {}),
      declared: lazyPosition(e.file, e.path, "key"),
      at: (path) => at(path),
    };
  }
  return out;
}

function formatPos(p: { file: string; line: number; column: number }): string {
  return `${p.file}:${p.line}:${p.column}`;
}
