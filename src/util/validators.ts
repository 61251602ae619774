/**
 * JSON Schema validators. `npm run build` precompiles schemas/ into dist/validators/*.cjs (see
 * scripts/compile-validators.mjs) so a CLI run does not spend hundreds of milliseconds compiling;
 * running from sources (tests) compiles them here with the same options.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Ajv2020, Options, ValidateFunction } from "ajv/dist/2020.js";

/** Absolute location of the JSON Schemas shipped with bootplan. */
export const SCHEMA_DIR = new URL("../../schemas/", import.meta.url);

/** Reads a schema by file name from schemas/. */
export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, SCHEMA_DIR), "utf8"));
}

/** The JSON Schema 2020-12 meta-schema, as ajv ships it. */
const META_SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema";

/**
 * Each precompiled module, its schema (from schemas/; none: the JSON Schema meta-schema), ajv options
 * and the validators it exports (name -> schema ref).
 */
export const VALIDATOR_BUILDS: Record<string, { schema?: string; options: Options; exports: Record<string, string> }> = {
  stack: { schema: "stack.schema.json", options: { allErrors: true, verbose: true, strict: false }, exports: { doc: "" } },
  // One cause is enough for a corrupt state: allErrors off.
  state: { schema: "state.schema.json", options: { allErrors: false, strict: false }, exports: { doc: "", record: "#/$defs/resource", address: "#/$defs/address" } },
  plan: { schema: "plan.schema.json", options: { allErrors: true, strict: false }, exports: { doc: "" } },
  // Plugins' optionsSchema are checked with this, so compiling them needs no meta-schema compile (~60 ms).
  "json-schema": { options: { allErrors: false, strict: false }, exports: { doc: "" } },
};

const require = createRequire(import.meta.url);
const loaded = new Map<string, Record<string, ValidateFunction>>();

/** Compiles a build's validators with ajv (the build script and source runs use this). */
export function compileValidators(name: string, extra: Options = {}): { ajv: Ajv2020; refs: Record<string, string> } {
  const b = VALIDATOR_BUILDS[name];
  // Loaded only here: a run with precompiled validators never pays for importing ajv.
  const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;
  const ajv = new Ajv({ ...b.options, ...extra });
  addFormats(ajv);
  let id = META_SCHEMA_ID;
  if (b.schema) {
    const schema = readSchema(b.schema);
    ajv.addSchema(schema);
    id = schema.$id as string;
  }
  return { ajv, refs: Object.fromEntries(Object.entries(b.exports).map(([k, ref]) => [k, `${id}${ref}`])) };
}

/** The validators of a build: precompiled when dist/validators has them, compiled now otherwise. */
export function validators(name: string): Record<string, ValidateFunction> {
  let v = loaded.get(name);
  if (v) return v;
  try {
    v = require(`../validators/${name}.cjs`) as Record<string, ValidateFunction>;
  } catch {
    const { ajv, refs } = compileValidators(name);
    v = Object.fromEntries(Object.entries(refs).map(([k, ref]) => [k, ajv.getSchema(ref)!]));
  }
  loaded.set(name, v);
  return v;
}
