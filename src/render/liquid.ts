/**
 * The one liquid engine every answer file renders through: strict (an unknown variable or filter is
 * an error, never an empty string), sandboxed (no file system: include/render/layout always fail),
 * and caching each template's parse, because a fleet renders the same few templates thousands of times.
 */
import { Liquid, type FS, type Template } from "liquidjs";
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

const engine = new Liquid({
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
engine.registerFilter("one_line", (v: unknown) => oneLine(v));
/** `ks`: one kickstart word, quoted the way pykickstart's shlex reads it back. */
engine.registerFilter("ks", (v: unknown) => kickstartWord(v));
/** `yaml_value`: any value as JSON-style YAML (double-quoted strings, flow lists/maps). */
engine.registerFilter("yaml_value", (v: unknown) => yamlValue(v));

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
    tpl = engine.parse(source);
  } catch (err) {
    throw new RenderError("render.template-syntax", firstLine(err));
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
    return engine.renderSync(tpl, variables) as string;
  } catch (err) {
    throw new RenderError("render.template", firstLine(err));
  }
}
