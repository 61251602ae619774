/**
 * The one liquid engine every answer file renders through: strict (an unknown variable or filter is
 * an error, never an empty string), sandboxed (no file system: include/render/layout always fail),
 * and caching each template's parse, because a fleet renders the same few templates thousands of times.
 */
import { createRequire } from "node:module";
import type { FS, Liquid, Template } from "liquidjs";
import { RenderError } from "./errors.js";
import { kickstartWord, oneLine, yamlValue } from "./escape.js";

const refuse = (): never => {
  throw new RenderError("render.no-files", "answer templates cannot read files (include, render and layout are not available)");
};

// Answer templates come from stacks; they must not reach the machine's files, whatever liquid tag they use.
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => refuse(),
  readFileSync: refuse,
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/** Longest template source accepted (characters). */
export const TEMPLATE_PARSE_LIMIT = 1_000_000;
/** Longest one render may take (ms): far above any real answer file, short enough that a runaway loop ends the run. */
export const TEMPLATE_RENDER_LIMIT_MS = 5_000;
/** Most memory one render may allocate for strings and arrays (liquid's own accounting, in units of characters/items). */
export const TEMPLATE_MEMORY_LIMIT = 64_000_000;

let shared: Liquid | undefined;

/**
 * The engine, made on first use: a plan that reuses every recorded rendering (the usual no-op plan)
 * never loads liquid, ~180 KB of code that costs ~40 ms to load. Required, not imported: an ES import
 * of a CommonJS module makes Node scan its whole source for export names first.
 */
function engine(): Liquid {
  if (shared) return shared;
  const { Liquid } = createRequire(import.meta.url)("liquidjs") as typeof import("liquidjs");
  const e = new Liquid({
    // A template from a stack may loop or grow without end: liquid stops it, so plan fails instead of hanging.
    parseLimit: TEMPLATE_PARSE_LIMIT,
    renderLimit: TEMPLATE_RENDER_LIMIT_MS,
    memoryLimit: TEMPLATE_MEMORY_LIMIT,
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    relativeReference: false,
    dynamicPartials: false,
    root: [],
    partials: [],
    layouts: [],
    fs: NO_FILES,
    // Trim only up to the first newline after `-%}`, so the next line's indentation (YAML) survives.
    greedy: false,
  });
  /** `one_line`: the value as text; fails on newlines and control characters (kickstart, preseed). */
  e.registerFilter("one_line", (v: unknown) => oneLine(v));
  /** `ks`: one kickstart word, quoted the way pykickstart's shlex reads it back. */
  e.registerFilter("ks", (v: unknown) => kickstartWord(v));
  /** `yaml_value`: any value as JSON-style YAML (double-quoted strings, flow lists/maps). */
  e.registerFilter("yaml_value", (v: unknown) => yamlValue(v));
  shared = e;
  return e;
}

const MAX_CACHED = 256;
const parsed = new Map<string, Template[]>();

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] ?? text;
}

/** Parses a template once per distinct source; throws RenderError naming the syntax problem. */
export function compileTemplate(source: string): Template[] {
  let tpl = parsed.get(source);
  if (tpl) return tpl;
  try {
    tpl = engine().parse(source);
  } catch (err) {
    throw new RenderError("render.template-syntax", limitMessage(firstLine(err)));
  }
  // Custom templates are few per stack; the bound only guards a long-running process against growth.
  if (parsed.size >= MAX_CACHED) parsed.clear();
  parsed.set(source, tpl);
  return tpl;
}

/** Renders a template source with the given variables; throws a one-line RenderError on any liquid error. */
export function renderTemplate(source: string, variables: object): string {
  const tpl = compileTemplate(source);
  try {
    return engine().renderSync(tpl, variables) as string;
  } catch (err) {
    throw new RenderError("render.template", limitMessage(firstLine(err)));
  }
}

/** Says which limit a runaway template hit, and what the limit is. */
function limitMessage(message: string): string {
  if (/render limit exceeded/.test(message)) return `${message} (the template ran longer than ${TEMPLATE_RENDER_LIMIT_MS / 1000}s: a loop without end?)`;
  if (/memory alloc limit exceeded/.test(message)) return `${message} (the template built more than ${TEMPLATE_MEMORY_LIMIT} characters or items: a loop without end?)`;
  return message;
}

/** A stand-in for the secret marker: plain letters, so one_line, ks and yaml_value leave it alone as they do the marker. */
const SECRET_STAND_IN = "BootplanSecretStandIn";

/**
 * Fails when the template changes the root password hash on its way into the file (`| upcase`,
 * `| slice`, `| size`...): the marker would be written mangled and the secret never substituted.
 * Renders again with a different stand-in: an untouched secret gives the same text once swapped back.
 */
export function assertSecretsIntact(source: string, vars: { rootPasswordHash: string | null }, rendered: string): void {
  const marker = vars.rootPasswordHash;
  if (marker === null) return;
  const again = renderTemplate(source, { ...vars, rootPasswordHash: SECRET_STAND_IN });
  if (again.split(SECRET_STAND_IN).join(marker) !== rendered) {
    throw new RenderError(
      "render.secret-filtered",
      "rootPasswordHash is changed by a filter or test in the template; a secret can only be written as it is (optionally through one_line, ks or yaml_value)",
    );
  }
}
