/** Attribute constraints: read from YAML, compared for equality, printed, and checked against a value. */
import type { AttributeConstraint } from "../model/stack.js";
import { KNOWN_ATTRIBUTES, type AttributeType } from "./attributes.js";
import { canonicalRange, parseRange, RangeSyntaxError, satisfies, type VersionRange } from "./version.js";

/** A constraint ready to check: version ranges parsed once. */
export type CompiledConstraint =
  | { type: "values"; values: string[] }
  | { type: "flags"; values: string[] }
  | { type: "numeric"; min?: number; max?: number }
  | { type: "version"; range: VersionRange };

/** The form a constraint has in YAML, per type, for messages. */
const FORM: Record<AttributeType, string> = {
  values: "a list of allowed values",
  flags: "a list of required flags",
  numeric: "a range {min, max}",
  version: 'a version range such as ">=6.1"',
};

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Reads one constraint from YAML; returns an error text (without position) when it is not one. */
export function readConstraint(attribute: string, raw: unknown): AttributeConstraint | string {
  const known = KNOWN_ATTRIBUTES[attribute];
  let form: AttributeType | undefined;
  if (Array.isArray(raw)) form = "values";
  else if (typeof raw === "string") form = "version";
  else if (raw && typeof raw === "object") form = "numeric";
  const want = known ?? form;
  if (!form || (known && (known === "flags" ? form !== "values" : form !== known))) {
    const expected = want ? FORM[want] : `${FORM.values}, ${FORM.numeric} or ${FORM.version}`;
    return `${attribute}: ${known ? `${attribute} is a ${known} attribute; expected ${expected}` : `unknown attribute type: expected ${expected}`}, found ${describe(raw)}`;
  }
  if (form === "values") {
    const values = raw as unknown[];
    if (!values.length) return `${attribute}: an empty list allows nothing; list at least one value`;
    const bad = values.find((x) => typeof x !== "string" && typeof x !== "number");
    if (bad !== undefined) return `${attribute}: expected plain values in the list, found ${describe(bad)}`;
    return { type: "values", values: [...new Set(values.map(String))] };
  }
  if (form === "version") {
    try {
      parseRange(raw as string);
    } catch (err) {
      if (err instanceof RangeSyntaxError) return `${attribute}: ${err.message}`;
      throw err;
    }
    return { type: "version", range: raw as string };
  }
  const m = raw as Record<string, unknown>;
  const extra = Object.keys(m).filter((k) => k !== "min" && k !== "max");
  if (extra.length || !Object.keys(m).length) return `${attribute}: expected ${FORM.numeric}, found ${extra.length ? `key ${JSON.stringify(extra[0])}` : "an empty map"}`;
  for (const k of ["min", "max"] as const) {
    if (m[k] !== undefined && (typeof m[k] !== "number" || !Number.isFinite(m[k]))) return `${attribute}.${k}: expected a number, found ${describe(m[k])}`;
  }
  const min = m.min as number | undefined, max = m.max as number | undefined;
  if (min !== undefined && max !== undefined && min > max) return `${attribute}: range {min: ${min}, max: ${max}} can never match (min is above max)`;
  return { type: "numeric", ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

/** Compiles a declared constraint; version ranges were validated when read. */
export function compileConstraint(attribute: string, c: AttributeConstraint): CompiledConstraint {
  if (c.type === "version") return { type: "version", range: parseRange(c.range) };
  if (c.type === "values" && KNOWN_ATTRIBUTES[attribute] === "flags") return { type: "flags", values: [...c.values].sort() };
  if (c.type === "values") return { type: "values", values: [...c.values].sort() };
  return c;
}

/** The constraint as a reader writes it: `[x86_64, aarch64]`, `>= 8192`, `>=6.1`, `has [avx2]`. */
export function formatConstraint(c: CompiledConstraint): string {
  switch (c.type) {
    case "values": return `[${c.values.join(", ")}]`;
    case "flags": return `has [${c.values.join(", ")}]`;
    case "version": return canonicalRange(c.range);
    default:
      return c.min !== undefined && c.max !== undefined ? `${c.min}..${c.max}` : c.min !== undefined ? `>= ${c.min}` : `<= ${c.max}`;
  }
}

/** True when two constraints allow exactly the same values (order of listed values does not matter). */
export function sameConstraint(a: CompiledConstraint, b: CompiledConstraint): boolean {
  return a.type === b.type && formatConstraint(a) === formatConstraint(b);
}

/** Plain JSON of a constraint, for plan inputs and `explain --json`. */
export function constraintJson(c: CompiledConstraint): unknown {
  if (c.type === "version") return canonicalRange(c.range);
  if (c.type === "numeric") return { ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}) };
  return c.values;
}

/** Checks a target's value; returns how it fails ("is not one of [a, b]"), or undefined when it fits. */
export function violates(c: CompiledConstraint, value: unknown): string | undefined {
  if (value === undefined) return `is not declared on the target (allowed: ${formatConstraint(c)})`;
  switch (c.type) {
    case "values": {
      const v = typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
      return c.values.includes(v) ? undefined : `is not one of ${formatConstraint(c)}`;
    }
    case "flags": {
      if (!Array.isArray(value)) return `is not a list of flags (required: ${formatConstraint(c)})`;
      const have = new Set(value.map(String));
      const missing = c.values.filter((f) => !have.has(f));
      return missing.length ? `lacks ${missing.join(", ")} (required: ${formatConstraint(c)})` : undefined;
    }
    case "numeric": {
      if (typeof value !== "number") return `is not a number (allowed: ${formatConstraint(c)})`;
      if (c.min !== undefined && value < c.min) return `is below the minimum ${c.min} (allowed: ${formatConstraint(c)})`;
      if (c.max !== undefined && value > c.max) return `is above the maximum ${c.max} (allowed: ${formatConstraint(c)})`;
      return undefined;
    }
    default: {
      if (typeof value !== "string" && typeof value !== "number") return `is not a version (allowed: ${formatConstraint(c)})`;
      return satisfies(String(value), c.range) ? undefined : `is outside the version range ${formatConstraint(c)}`;
    }
  }
}
