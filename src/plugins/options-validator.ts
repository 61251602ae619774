/**
 * Plugins' option validators: each plugin's `optionsSchema` compiled by ajv. Loading ajv and compiling
 * costs ~100 ms a run, so the compiled validator is kept in the plugin cache as standalone code (ajv's
 * own code generation) and loaded from there while the schema and ajv's version are unchanged.
 */
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { AnySchemaObject, ValidateFunction } from "ajv/dist/2020.js";
import { sha256Hex } from "../util/hash.js";
import { validators } from "../util/validators.js";

const require = createRequire(import.meta.url);

type Ajv = import("ajv/dist/2020.js").Ajv2020;
let sharedAjv: Ajv | undefined;

/** A fresh validator instance with formats; `source` keeps the generated code for the cache. */
function newAjv(): Ajv {
  const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;
  // Schemas are checked against the precompiled meta-schema first (optionsValidator).
  const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, validateSchema: false, code: { source: true } });
  addFormats(ajv);
  return ajv;
}

/** The compiled validator kept under `file`, run with bootplan's own `require` (its ajv runtime helpers); undefined when absent or unusable. */
function loadCompiled(file: string): ValidateFunction | undefined {
  let code: string;
  try {
    code = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const module = { exports: {} as { default?: ValidateFunction } };
    new Function("require", "module", "exports", code)(require, module, module.exports);
    return typeof module.exports.default === "function" ? module.exports.default : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a compiled validator's code (best effort: the next run compiles again without it). */
function saveCompiled(file: string, ajv: Ajv, validate: ValidateFunction): void {
  try {
    const standalone = require("ajv/dist/standalone/index.js").default as (ajv: Ajv, v: ValidateFunction) => string;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standalone(ajv, validate), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A read-only or full disk: nothing is lost but the time saved.
  }
}

/**
 * Compiles a plugin's options schema, or loads it compiled from `cache` (a folder; false: compile in
 * memory, write nothing). Plugins share one ajv instance (each new one costs ~30 ms); a schema with its
 * own `$id` gets a fresh one, so two plugins naming the same `$id` cannot collide. Throws with the first
 * problem when the schema is not a valid JSON Schema.
 */
export function optionsValidator(schema: AnySchemaObject, cache: string | false): ValidateFunction {
  const meta = validators("json-schema").doc;
  if (!meta(schema)) {
    const e = meta.errors![0];
    throw new Error(`${e.instancePath || "(the schema)"} ${e.message}`);
  }
  const version = (require("ajv/package.json") as { version: string }).version;
  const file = cache && join(cache, `options-${sha256Hex(JSON.stringify([version, schema]))}.cjs`);
  const kept = file ? loadCompiled(file) : undefined;
  if (kept) return kept;
  const ajv = "$id" in schema ? newAjv() : (sharedAjv ??= newAjv());
  const validate = ajv.compile(schema);
  if (file) saveCompiled(file, ajv, validate);
  return validate;
}
