/**
 * Loads a stack's plugin modules (ES modules; TypeScript without a build step, through jiti) and
 * checks each definition: its name matches the stack's, its hooks are functions, its selector and
 * options are valid. Options are validated against the plugin's own JSON Schema, errors pinned to the
 * stack file and line. This is the only place plugin code is imported.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ErrorObject } from "ajv/dist/2020.js";
import { formatPosition, StackError, StackErrors, type SourcePosition } from "../errors.js";
import type { Stack } from "../model/stack.js";
import { formatDocPath } from "../stack/yaml.js";
import { writableCacheDir } from "../util/cache-dir.js";
import { sha256Hex } from "../util/hash.js";
import type { ApplyHookName, PlanHookName, PluginDefinition } from "./api.js";
import { PluginLoadError } from "./errors.js";
import { optionsValidator } from "./options-validator.js";
import { compileSelector, type CompiledSelector } from "./selector.js";
import type { PluginRef } from "./types.js";

/** Plan-time hooks, in the order they shape a system's output. */
export const PLAN_HOOKS: PlanHookName[] = ["kernelArgs", "answerFile", "files", "cm"];
/** Apply-time hooks. */
export const APPLY_HOOKS: ApplyHookName[] = ["beforeProvision", "afterProvision", "onFailure"];
const KNOWN_KEYS = ["name", "version", "description", "appliesTo", "optionsSchema", "timeouts", ...PLAN_HOOKS, ...APPLY_HOOKS];

/** A plugin ready to run: its definition, validated options and selector. */
export interface LoadedPlugin {
  name: string;
  version: string;
  /** The module relative to the stack directory. */
  rel: string;
  definition: PluginDefinition;
  options: Record<string, unknown>;
  selector: CompiledSelector;
  /** Hash of all plugin code of the stack: a changed helper re-renders what plugins shape. */
  codeHash: string;
}

const require = createRequire(import.meta.url);

/** The module a plugin's `import "bootplan/plugin"` resolves to: this bootplan's own, wherever the stack is. */
function apiModule(): string {
  const js = fileURLToPath(new URL("./api.js", import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL("./api.ts", import.meta.url));
}

/**
 * Where compiled plugin code is kept between runs: `<state file>.plugin-cache/` (by default
 * `.bootplan/state.json.plugin-cache/`; bootplan writes nothing but the provisioning root and files
 * named after the state), never under node_modules or /tmp. Each entry carries a hash of the source it
 * was compiled from, so an edited plugin is compiled afresh. False (compile every time) when the folder cannot be made or
 * written (a read-only checkout) or is a link.
 */
export function pluginCache(statePath: string): string | false {
  return writableCacheDir(`${statePath}.plugin-cache`);
}

/**
 * Imports one module, bypassing the module cache so an edited plugin is never served stale. Compiling
 * TypeScript loads Babel and costs ~200 ms a run; the compiled code is kept in `cache` when there is one.
 */
async function importModule(file: string, cache: string | false): Promise<unknown> {
  // Required, not imported: an ES import of jiti's CommonJS core makes Node scan its 190 KB for export names.
  const { createJiti } = require("jiti") as typeof import("jiti");
  const jiti = createJiti(import.meta.url, { fsCache: cache, moduleCache: false, alias: { "bootplan/plugin": apiModule() } });
  return jiti.import(file);
}

function typeProblems(def: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(def)) if (!KNOWN_KEYS.includes(k)) out.push(`unknown key ${JSON.stringify(k)} (expected one of: ${KNOWN_KEYS.join(", ")})`);
  if (typeof def.name !== "string" || !def.name) out.push("name: expected a string");
  if (typeof def.version !== "string" || !def.version) out.push("version: expected a string");
  for (const h of [...PLAN_HOOKS, ...APPLY_HOOKS]) if (def[h] !== undefined && typeof def[h] !== "function") out.push(`${h}: expected a function`);
  if (def.optionsSchema !== undefined && (def.optionsSchema === null || typeof def.optionsSchema !== "object")) out.push("optionsSchema: expected a JSON Schema object");
  const t = def.timeouts as Record<string, unknown> | undefined;
  if (t !== undefined) {
    if (t === null || typeof t !== "object") out.push("timeouts: expected a map of hook name to milliseconds");
    else for (const [k, v] of Object.entries(t)) {
      if (!APPLY_HOOKS.includes(k as ApplyHookName)) out.push(`timeouts.${k}: not an apply-time hook (${APPLY_HOOKS.join(", ")})`);
      else if (typeof v !== "number" || !(v > 0)) out.push(`timeouts.${k}: expected a positive number of milliseconds`);
    }
  }
  return out;
}

/** The definition a module exports (default export, or a named `plugin`). */
export async function definitionOf(ref: Pick<PluginRef, "name" | "file" | "rel">, cache: string | false = false): Promise<Record<string, unknown>> {
  let mod: unknown;
  try {
    mod = await importModule(ref.file, cache);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new PluginLoadError(`${ref.rel}: cannot load plugin ${ref.name}: ${msg}`);
  }
  const m = mod as { default?: unknown; plugin?: unknown } | undefined;
  const def = (m?.default ?? m?.plugin) as Record<string, unknown> | undefined;
  if (!def || typeof def !== "object") {
    throw new PluginLoadError(`${ref.rel}: plugin ${ref.name} has no definition: export default definePlugin({...})`);
  }
  return def;
}

/** Validates options against the plugin's schema (defaults filled in); errors at the stack position of the option. */
function validateOptions(ref: PluginRef, def: PluginDefinition, cache: string | false): { options: Record<string, unknown>; errors: StackError[] } {
  const options = structuredClone(ref.options ?? {}) as Record<string, unknown>;
  const where = (path: (string | number)[]): SourcePosition | undefined =>
    ref.at ? ref.at(ref.options === undefined ? [] : ["options", ...path]) : { file: ref.rel, line: 1, column: 1 };
  const name = (path: (string | number)[]) => formatDocPath(["plugins", ref.name, "options", ...path]);
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    return { options: {}, errors: [new StackError("plugin.invalid-options", where([]), `${name([])}: expected a map of options`)] };
  }
  if (!def.optionsSchema) {
    const keys = Object.keys(options);
    return { options, errors: keys.length ? [new StackError("plugin.invalid-options", where([keys[0]]), `${name([keys[0]])}: plugin ${ref.name} takes no options`)] : [] };
  }
  let validate;
  try {
    validate = optionsValidator(def.optionsSchema, cache);
  } catch (err) {
    throw new PluginLoadError(`${ref.rel}: plugin ${ref.name}: optionsSchema is not a valid JSON Schema: ${(err as Error).message}`);
  }
  if (validate(options)) return { options, errors: [] };
  const errors = (validate.errors ?? []).map((e: ErrorObject) => {
    const path = e.instancePath ? e.instancePath.slice(1).split("/").map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~"))) : [];
    const extra = e.keyword === "additionalProperties" ? ` ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`
      : e.keyword === "enum" ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}` : "";
    const key = e.keyword === "additionalProperties" ? [...path, (e.params as { additionalProperty: string }).additionalProperty] : path;
    return new StackError("plugin.invalid-options", where(key), `${name(path)}: ${e.message}${extra} (plugin ${ref.name}'s optionsSchema)`);
  });
  return { options, errors };
}

/** Hash of every plugin code file the stack's fingerprint covers. */
function pluginCodeHash(stack: Stack): string {
  return sha256Hex(stack.fingerprintInputs.filter((i) => i.startsWith("plugin:")).sort().join("\n"));
}

/** Loads one plugin; definition problems are PluginLoadErrors, option problems StackErrors. */
async function loadOne(ref: PluginRef, codeHash: string, errors: StackError[], cache: string | false): Promise<LoadedPlugin | undefined> {
  const def = await definitionOf(ref, cache);
  const problems = typeProblems(def);
  if (!problems.length && def.name !== ref.name) {
    problems.push(`name: ${JSON.stringify(def.name)} differs from the plugin's name in the stack, ${JSON.stringify(ref.name)} (${ref.declared ? `declared at ${formatPosition(ref.declared)}` : `the file name`}); make them the same`);
  }
  const selectorProblems: string[] = [];
  const selector = ref.appliesTo ?? compileSelector(def.appliesTo, ref.rel, selectorProblems);
  problems.push(...selectorProblems.map((p) => `appliesTo: ${p}`));
  if (problems.length) throw new PluginLoadError(`${ref.rel}: plugin ${ref.name}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`);
  const definition = def as unknown as PluginDefinition;
  const v = validateOptions(ref, definition, cache);
  errors.push(...v.errors);
  return { name: ref.name, version: definition.version, rel: ref.rel, definition, options: v.options, selector, codeHash };
}

/**
 * Loads every enabled plugin of the stack, sorted by name; throws on the first invalid module or on
 * invalid options. `cache` false: compile in memory and write nothing (validate, explain).
 */
export async function loadPlugins(stack: Stack, { cache: useCache = true }: { cache?: boolean } = {}): Promise<LoadedPlugin[]> {
  const refs = Object.values(stack.plugins ?? {}).filter((r) => r.enabled).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (!refs.length) return [];
  const codeHash = pluginCodeHash(stack);
  const errors: StackError[] = [];
  const out: LoadedPlugin[] = [];
  const cache = useCache && pluginCache(stack.state.path);
  for (const ref of refs) {
    const p = await loadOne(ref, codeHash, errors, cache);
    if (p) out.push(p);
  }
  if (errors.length) throw new StackErrors(errors);
  return out;
}
