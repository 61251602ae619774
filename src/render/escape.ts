/**
 * Quoting rules of each output format, kept together so the boot-config renderers and the liquid
 * filters agree. Each function either returns text the format reads back as exactly the input, or
 * throws: a value that cannot be expressed must never be written approximately.
 */
import { RenderError } from "./errors.js";

// C0, DEL, C1 and the Unicode line/paragraph separators: any of them can end a line or confuse a parser.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a map" : typeof value;
}

/** Text of a scalar (string, number, boolean; null is empty); throws for lists, maps and undefined. */
export function scalarText(value: unknown, what = "value"): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new RenderError("render.not-text", `${what}: expected text, found ${describe(value)}`);
}

/** The value as text; throws when it holds a newline or control character (line-based formats). */
export function oneLine(value: unknown, what = "value"): string {
  const text = scalarText(value, what);
  if (CONTROL.test(text)) {
    throw new RenderError("render.control-char", `${what} ${JSON.stringify(text)} contains a newline or control character`);
  }
  return text;
}

const GRUB_PLAIN = /^[A-Za-z0-9_.\/:=,+@%()-]+$/;

/** One GRUB script word: plain when safe, else single-quoted (GRUB keeps everything inside literally). */
export function grubWord(value: string): string {
  const text = oneLine(value, "GRUB argument");
  if (GRUB_PLAIN.test(text)) return text;
  // A single quote cannot occur inside single quotes; close, escape it, reopen (as in sh).
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * One iPXE token. iPXE has no quoting at all: it splits on whitespace, expands every `${...}`, and
 * treats a token starting with `#` or equal to `||`, `&&` or `;` as syntax. Such values are refused.
 */
export function ipxeWord(value: string): string {
  const text = oneLine(value, "iPXE argument");
  if (text === "" || /\s/.test(text) || text.includes("${") || text.startsWith("#") || ["||", "&&", ";"].includes(text)) {
    throw new RenderError("render.ipxe-unsafe", `iPXE argument ${JSON.stringify(text)} cannot be written: iPXE has no quoting for whitespace, "\${", a leading "#" or "||", "&&", ";"`);
  }
  return text;
}

/** One PXELINUX APPEND/KERNEL word: the line is taken literally, so only whitespace and newlines matter. */
export function pxelinuxWord(value: string): string {
  const text = oneLine(value, "PXELINUX argument");
  if (text === "" || /\s/.test(text)) {
    throw new RenderError("render.pxelinux-unsafe", `PXELINUX argument ${JSON.stringify(text)} cannot contain whitespace`);
  }
  return text;
}

const KS_PLAIN = /^[^\s'"\\#]+$/;

/** One kickstart word: pykickstart splits lines with shlex (POSIX, comments), so quote as sh does. */
export function kickstartWord(value: unknown): string {
  const text = oneLine(value, "kickstart value");
  if (KS_PLAIN.test(text)) return text;
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

// Characters YAML 1.2 does not allow unescaped even inside double quotes, which JSON.stringify leaves.
const YAML_UNPRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

/** A value as JSON with the extra escapes YAML needs; JSON is YAML, so any reader gets the exact value. */
export function yamlValue(value: unknown): string {
  if (value === undefined) throw new RenderError("render.not-text", "value: expected a value, found undefined");
  return JSON.stringify(value).replace(YAML_UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
