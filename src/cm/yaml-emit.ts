/**
 * A small block-style YAML writer for CM artifacts. The artifacts are plain data, and the plan builds
 * tens of thousands of them, so this avoids a general YAML library; strings that are not obviously
 * plain are written as JSON strings, which are valid YAML double-quoted scalars for every parser
 * the CM tools use (Psych, PyYAML, libyaml).
 */
import { isPlainObject } from "../util/merge.js";

/** Plain scalars YAML 1.1 or 1.2 could read as something other than a string. */
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~|\.inf|\.nan)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  const s = String(v);
  return PLAIN.test(s) && !AMBIGUOUS.test(s) ? s : JSON.stringify(s);
}

function isEmptyCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isPlainObject(item) && Object.keys(item).length > 0) {
        const lines: string[] = [];
        emit(item, indent + "  ", lines);
        out.push(`${indent}- ${lines[0].slice(indent.length + 2)}`, ...lines.slice(1));
      } else if (Array.isArray(item) && item.length > 0) {
        out.push(`${indent}-`);
        emit(item, indent + "  ", out);
      } else {
        out.push(`${indent}- ${leaf(item)}`);
      }
    }
    return;
  }
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === null || val === undefined) out.push(`${indent}${scalar(k)}:`);
    else if (isPlainObject(val) || Array.isArray(val)) {
      if (isEmptyCollection(val)) out.push(`${indent}${scalar(k)}: ${leaf(val)}`);
      else {
        out.push(`${indent}${scalar(k)}:`);
        emit(val, indent + "  ", out);
      }
    } else out.push(`${indent}${scalar(k)}: ${scalar(val)}`);
  }
}

function leaf(v: unknown): string {
  if (Array.isArray(v)) return "[]";
  if (isPlainObject(v)) return "{}";
  return scalar(v);
}

/** Renders a map as a YAML document (starting with `---`, ending with a newline). */
export function toYaml(doc: Record<string, unknown>): string {
  const out: string[] = ["---"];
  if (Object.keys(doc).length === 0) return "--- {}\n";
  emit(doc, "", out);
  return out.join("\n") + "\n";
}
