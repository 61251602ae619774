/**
 * Parses one YAML stack file. Values come from js-yaml, which is several times faster than a
 * position-keeping parser on fleet-sized stacks; positions come from the `yaml` package, parsed
 * lazily, only when something needs a line and column (an error, `explain`).
 */
import jsyaml from "js-yaml";
import { createRequire } from "node:module";
import type { Document, LineCounter, YAMLMap } from "yaml";
import { StackError, type SourcePosition } from "../errors.js";
import { sha256Hex } from "../util/hash.js";

const require = createRequire(import.meta.url);
/** The position-keeping parser, loaded the first time a position is needed (~20 ms a run otherwise). */
const Y = (): typeof import("yaml") => require("yaml") as typeof import("yaml");

/** Aliases allowed per file; far above what a hand-written stack uses, far below a "billion laughs". */
const MAX_ALIAS_COUNT = 200;

/** Something that looks like an alias (`*name`); files with one take the careful parser, which bounds expansion. */
const ALIAS_TOKEN = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/m;

/** A path inside a document: keys and array indexes from the root. */
export type DocPath = ReadonlyArray<string | number>;

/** A parsed stack file: its plain value, with the position-keeping document built on demand. */
export class YamlFile {
  private parsed?: { doc: Document.Parsed; lines: LineCounter };
  /** True when the text holds YAML aliases: only such files come parsed with positions (parseCarefully). */
  readonly aliases: boolean;
  private readonly mapIndex = new WeakMap<YAMLMap, Map<string, unknown>>();

  constructor(
    /** Path as shown in messages (relative to the working directory when under it). */
    readonly file: string,
    /** Path relative to the stack directory, with forward slashes. */
    readonly rel: string,
    readonly text: string,
    readonly value: unknown,
    parsed?: { doc: Document.Parsed; lines: LineCounter },
    /** The text's sha256 (hex), when the caller has taken it already. */
    private textSha256?: string,
  ) {
    this.parsed = parsed;
    this.aliases = parsed !== undefined;
  }

  /** sha256 of the text, hex: the parse cache's key and the stack's fingerprint both take it (30 MB at 100,000 systems), once. */
  get sha256(): string {
    return (this.textSha256 ??= sha256Hex(this.text));
  }

  /** The document with source ranges (parsed on first use). */
  get doc(): Document.Parsed {
    return this.positions().doc;
  }

  /** Offset -> line/column index (built on first use). */
  get lines(): LineCounter {
    return this.positions().lines;
  }

  private positions(): { doc: Document.Parsed; lines: LineCounter } {
    this.parsed ??= parseWithPositions(this.text);
    return this.parsed;
  }

  /** The pairs of a map by key, indexed once so locating thousands of entries stays linear. */
  pairsOf(map: YAMLMap): Map<string, unknown> {
    let idx = this.mapIndex.get(map);
    if (!idx) {
      idx = new Map();
      for (const it of map.items) if (Y().isPair(it) && Y().isScalar(it.key)) idx.set(String(it.key.value), it);
      this.mapIndex.set(map, idx);
    }
    return idx;
  }
}

function parseWithPositions(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const lines = new (Y().LineCounter)();
  const doc = Y().parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  return { doc, lines };
}

/** Renders a document path the way a reader writes it: `systems.web01.interfaces[0].mac`. */
export function formatDocPath(path: DocPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out || "(document root)";
}

/** Deepest nesting of maps and lists a stack file may have; js-yaml refuses deeper documents at the same depth. */
export const MAX_YAML_DEPTH = 100;

/** Characters YAML does not allow in a stream (C0 controls but tab/LF/CR, DEL, non-characters). */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/;

/** 1-based line and column of an offset in text. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Refuses characters no YAML file may hold, at their own line and column. */
function checkCharacters(text: string, file: string): void {
  const m = FORBIDDEN_CHAR.exec(text);
  if (!m) return;
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  const what = code === "0000" ? "a NUL byte" : `the control character U+${code}`;
  throw new StackError("stack.yaml-syntax", { file, ...positionOf(text, m.index) }, `YAML syntax error: the file contains ${what}, which YAML does not allow`);
}

/** Rewords js-yaml's reasons where bootplan's own words say more. */
function syntaxReason(reason: string): string {
  if (/maxDepth|call stack/i.test(reason)) return `nesting deeper than ${MAX_YAML_DEPTH} levels; bootplan refuses deeper documents`;
  if (/duplicated mapping key/.test(reason)) return "duplicate key (each key may appear once in a map)";
  return reason;
}

/** Parses with the position-keeping parser; syntax errors and alias bombs become positioned StackErrors. */
function parseCarefully(text: string, file: string, rel: string, sha?: string): YamlFile {
  const parsed = parseWithPositions(text);
  const first = parsed.doc.errors[0];
  if (first) {
    const p = parsed.lines.linePos(first.pos?.[0] ?? 0);
    const what = first.message.split("\n")[0].replace(/ at line \d+, column \d+.*$/, "");
    throw new StackError("stack.yaml-syntax", { file, line: p.line, column: p.col }, `YAML syntax error: ${syntaxReason(what)}`);
  }
  let value: unknown;
  try {
    value = parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const p = parsed.lines.linePos(firstAliasOffset(parsed.doc));
    const why = err instanceof Error ? err.message : String(err);
    const detail = /alias/i.test(why)
      ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); refusing a possible alias bomb`
      : `YAML error: ${why}`;
    throw new StackError("stack.yaml-aliases", { file, line: p.line, column: p.col }, detail);
  }
  return new YamlFile(file, rel, text, value ?? {}, parsed, sha);
}

/**
 * Parses YAML text; a syntax error, a forbidden character, nesting deeper than MAX_YAML_DEPTH, an
 * alias bomb, a self-referencing alias or a `__proto__` key becomes a StackError at its position.
 */
export function parseYamlFile(text: string, file: string, rel: string, sha?: string): YamlFile {
  checkCharacters(text, file);
  let value: unknown;
  try {
    // The core schema matches the `yaml` package's YAML 1.2 defaults: no timestamps, no merge keys.
    value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number } };
    if (!e.mark) throw new StackError("stack.yaml-syntax", { file, line: 1, column: 1 }, `YAML syntax error: ${syntaxReason(e.reason ?? (err as Error).message ?? String(err))}`);
    throw new StackError("stack.yaml-syntax", { file, line: e.mark.line + 1, column: e.mark.column + 1 }, `YAML syntax error: ${syntaxReason(e.reason ?? String(err))}`);
  }
  // Aliases are expanded by the careful parser, which bounds the expansion (js-yaml shares nodes instead).
  const f = ALIAS_TOKEN.test(text) ? parseCarefully(text, file, rel, sha) : new YamlFile(file, rel, text, value ?? {}, undefined, sha);
  checkShape(f, f.aliases);
  return f;
}

/** Walks the value without recursion: refuses cycles (self-referencing aliases), excess depth and `__proto__` keys. */
function checkShape(f: YamlFile, aliases: boolean): void {
  // Frames link to their parent; the path is built only when an error needs it (fleet files hold 100k+ nodes).
  type Frame = { v: object; parent: Frame | undefined; key: string | number; depth: number };
  const pathOf = (fr: Frame | undefined, last?: string | number): (string | number)[] => {
    const out: (string | number)[] = last === undefined ? [] : [last];
    for (let x = fr; x && x.parent; x = x.parent) out.unshift(x.key);
    return out;
  };
  const onPath = (fr: Frame | undefined, v: object): boolean => {
    for (let x = fr; x; x = x.parent) if (x.v === v) return true;
    return false;
  };
  const stack: Frame[] = [];
  if (f.value !== null && typeof f.value === "object") stack.push({ v: f.value, parent: undefined, key: "", depth: 0 });
  while (stack.length) {
    const fr = stack.pop()!;
    if (fr.depth > MAX_YAML_DEPTH) {
      const path = pathOf(fr);
      throw new StackError("stack.yaml-depth", locate(f, path), `${formatDocPath(path.slice(0, 3))}...: nesting deeper than ${MAX_YAML_DEPTH} levels; bootplan refuses deeper documents`);
    }
    const v = fr.v;
    const isArray = Array.isArray(v);
    const keys: (string | number)[] = isArray ? (v as unknown[]).map((_, i) => i) : Object.keys(v);
    for (const k of keys) {
      if (k === "__proto__") {
        const path = pathOf(fr, k);
        throw new StackError("stack.reserved-key", locate(f, path, "key"), `${formatDocPath(path)}: the key "__proto__" is not allowed (it would change how the map behaves)`);
      }
      const child = (v as Record<string | number, unknown>)[k];
      if (child === null || typeof child !== "object") continue;
      // Only aliases can make a cycle: files without them skip the walk up the parents.
      if (aliases && onPath(fr, child)) {
        const path = pathOf(fr, k);
        throw new StackError("stack.yaml-aliases", locate(f, path), `${formatDocPath(path)}: a YAML alias refers to a node that contains it; the value would be infinite`);
      }
      // Shared (aliased) nodes are walked once per place they appear; MAX_ALIAS_COUNT bounds how many.
      stack.push({ v: child, parent: fr, key: k, depth: fr.depth + 1 });
    }
  }
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  Y().visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return Y().visit.BREAK;
    },
  });
  return offset;
}

/**
 * The position of the node at `path`: its value, or its key when `at` is "key" (for unknown keys
 * and names). Walks as deep as the path exists, so a missing key points at its parent.
 */
export function locate(f: YamlFile, path: DocPath, at: "key" | "value" = "value"): SourcePosition {
  let node: unknown = f.doc.contents;
  let keyNode: unknown = undefined;
  for (const seg of path) {
    if (Y().isAlias(node)) node = node.resolve(f.doc);
    if (Y().isMap(node)) {
      const pair = f.pairsOf(node).get(String(seg)) as { key: unknown; value: unknown } | undefined;
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (Y().isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
      keyNode = undefined;
      node = node.items[seg];
    } else {
      break;
    }
  }
  const target = (at === "key" && keyNode ? keyNode : node ?? keyNode) as { range?: number[] } | undefined;
  const p = f.lines.linePos(target?.range?.[0] ?? 0);
  return { file: f.file, line: p.line, column: p.col };
}

/** A position computed only when read: entities carry one each, and most are never shown. */
class LazyPosition implements SourcePosition {
  private cached?: SourcePosition;
  constructor(
    private readonly f: YamlFile,
    private readonly path: DocPath,
    private readonly at: "key" | "value",
  ) {}
  private get pos(): SourcePosition {
    return (this.cached ??= locate(this.f, this.path, this.at));
  }
  get file(): string {
    return this.f.file;
  }
  /** The file relative to the stack directory. */
  get rel(): string {
    return this.f.rel;
  }
  get line(): number {
    return this.pos.line;
  }
  get column(): number {
    return this.pos.column;
  }
  toJSON(): SourcePosition {
    return { file: this.file, line: this.line, column: this.column };
  }
}

/** The stack-relative file (forward slashes) a position from lazyPosition points into; undefined for other positions. */
export function stackFileOf(pos: SourcePosition | undefined): string | undefined {
  return pos instanceof LazyPosition ? pos.rel : undefined;
}

/** A position computed only when read: entities carry one each, and most are never shown. */
export function lazyPosition(f: YamlFile, path: DocPath, at: "key" | "value" = "key"): SourcePosition {
  return new LazyPosition(f, path, at);
}
