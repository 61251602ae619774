/** Parses one YAML stack file, keeping what is needed to point errors at a line and column. */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { StackError, type SourcePosition } from "../errors.js";

/** Aliases allowed per file; far above what a hand-written stack uses, far below a "billion laughs". */
const MAX_ALIAS_COUNT = 200;

/** A parsed stack file: its plain value plus the document and line index for positions. */
export interface YamlFile {
  /** Path as shown in messages (relative to the working directory when under it). */
  file: string;
  /** Path relative to the stack directory, with forward slashes. */
  rel: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

/** A path inside a document: keys and array indexes from the root. */
export type DocPath = ReadonlyArray<string | number>;

/** Renders a document path the way a reader writes it: `systems.web01.interfaces[0].mac`. */
export function formatDocPath(path: DocPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out || "(document root)";
}

/** Parses YAML text; a syntax error or alias bomb becomes a StackError at its position. */
export function parseYamlFile(text: string, file: string, rel: string): YamlFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const what = first.message.split("\n")[0].replace(/ at line \d+, column \d+.*$/, "");
    throw new StackError("stack.yaml-syntax", { file, line: pos?.line ?? 1, column: pos?.col ?? 1 }, `YAML syntax error: ${what}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const at = firstAliasOffset(doc);
    const p = lines.linePos(at);
    const why = err instanceof Error ? err.message : String(err);
    const detail = /alias/i.test(why)
      ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); refusing a possible alias bomb`
      : `YAML error: ${why}`;
    throw new StackError("stack.yaml-aliases", { file, line: p.line, column: p.col }, detail);
  }
  return { file, rel, text, doc, lines, value: value ?? {} };
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
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
    if (isAlias(node)) node = node.resolve(f.doc);
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
      keyNode = undefined;
      node = node.items[seg];
    } else {
      break;
    }
  }
  const target = (at === "key" && keyNode ? keyNode : node ?? keyNode) as Node | undefined;
  const offset = target?.range?.[0] ?? 0;
  const p = f.lines.linePos(offset);
  return { file: f.file, line: p.line, column: p.col };
}
