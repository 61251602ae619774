/**
 * Part of a state file, read and written without parsing the rest. A one-system change of a
 * 100,000-system fleet touches a few of 280,000 records: parsing the 290 MB document to read them and
 * serialising it again to write them took 8 s. Here the file's bytes are scanned for where each record
 * starts and ends (0.3 s), only the records asked for are parsed, and a commit writes the untouched
 * records' bytes back as they were, around the touched ones serialised afresh: the very bytes
 * JSON.stringify of the whole document would give.
 */

/** Where each record of a state file's `resources` object lies in its bytes. */
export interface StateLayout {
  /** The file's bytes. */
  bytes: Buffer;
  /** Offsets of the `{` and `}` of the resources object. */
  open: number;
  close: number;
  /** Per record i: the start of its key (`"`) at 2i, the end of its value (exclusive) at 2i+1. */
  spans: Float64Array;
  /**
   * Every record as its key's hash times 2^21 plus its index, sorted: found by binary search. Not a Map
   * of addresses: a string per key and the Map's inserts took 200 ms of a 100,000-system state's scan.
   */
  sorted: Float64Array;
}

/** Records an index can tell apart in `sorted` (2^21: 700,000 systems' worth); a larger state is read whole. */
const MAX_RECORDS = 2 ** 21;

/** A state read in part: the document with only the records asked for, and the file's layout. */
export interface PartialState {
  doc: { resources: Record<string, unknown> } & Record<string, unknown>;
  layout: StateLayout;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

/** The offset just past the string starting at `i` (its opening quote). */
function skipString(b: Buffer, i: number): number {
  for (i++; ; ) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i += 2;
    else if (c === undefined) throw new SyntaxError("unterminated string");
    else i++;
  }
}

/** The offset just past the object or array starting at `i`. Strings are skipped inline: this loop sees every byte of the file. */
function skipNested(b: Buffer, i: number): number {
  const n = b.length;
  let depth = 0;
  while (i < n) {
    const c = b[i++];
    if (c === QUOTE) {
      for (;;) {
        if (i >= n) throw new SyntaxError("unterminated string");
        const d = b[i++];
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i;
  }
  throw new SyntaxError("unterminated object");
}

/** The address a key's bytes spell (its quotes included). */
function keyOf(b: Buffer, start: number, end: number): string {
  return b.toString("utf8", start + 1, end - 1);
}

/** FNV-1a of bytes [start, end). */
function fnv(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/** The index of the record at `address` in `layout`, or undefined when it has none. */
export function recordIndex(layout: StateLayout, address: string): number | undefined {
  // Keys are written as JSON.stringify writes them; scanState leaves any key with an escape to a whole read.
  const want = Buffer.from(address, "utf8");
  const h = fnv(want, 0, want.length);
  const { sorted, spans, bytes } = layout;
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < h * MAX_RECORDS) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < sorted.length && Math.floor(sorted[k] / MAX_RECORDS) === h; k++) {
    const n = sorted[k] % MAX_RECORDS;
    const start = spans[2 * n] + 1;
    if (bytes[start + want.length] === QUOTE && bytes.subarray(start, start + want.length).equals(want)) return n;
  }
  return undefined;
}

/**
 * The layout of a state file as bootplan writes it compact (no whitespace between tokens, the resources
 * object holding objects); undefined for any other form (an indented small state, a hand edit), which
 * the caller reads whole. Throws SyntaxError for bytes that are not JSON where a record should be.
 */
export function scanState(bytes: Buffer): StateLayout | undefined {
  if (bytes[0] !== OPEN_BRACE || bytes[1] !== QUOTE) return undefined;
  // Top-level keys come before "resources": skip each "key":value pair until it.
  let i = 1;
  for (;;) {
    if (bytes[i] !== QUOTE) return undefined;
    const keyEnd = skipString(bytes, i);
    const key = keyOf(bytes, i, keyEnd);
    if (bytes[keyEnd] !== COLON) return undefined;
    const v = keyEnd + 1;
    if (key === "resources") {
      if (bytes[v] !== OPEN_BRACE) return undefined;
      return scanResources(bytes, v);
    }
    const c = bytes[v];
    i = c === QUOTE ? skipString(bytes, v) : c === OPEN_BRACE || c === OPEN_BRACKET ? skipNested(bytes, v) : scalarEnd(bytes, v);
    if (bytes[i] !== COMMA) return undefined;
    i++;
  }
}

function scalarEnd(b: Buffer, i: number): number {
  while (i < b.length && b[i] !== COMMA && b[i] !== CLOSE_BRACE) i++;
  return i;
}

function scanResources(bytes: Buffer, open: number): StateLayout | undefined {
  const starts: number[] = [];
  const hashes: number[] = [];
  let i = open + 1;
  if (bytes[i] !== CLOSE_BRACE) {
    for (;;) {
      if (bytes[i] !== QUOTE) return undefined;
      const keyEnd = skipString(bytes, i);
      if (bytes[keyEnd] !== COLON || bytes[keyEnd + 1] !== OPEN_BRACE) return undefined;
      // A key with an escape would not match the bytes recordIndex looks for.
      for (let j = i + 1; j < keyEnd - 1; j++) if (bytes[j] === BACKSLASH) return undefined;
      const end = skipNested(bytes, keyEnd + 1);
      hashes.push(fnv(bytes, i + 1, keyEnd - 1));
      starts.push(i, end);
      i = end;
      if (bytes[i] === CLOSE_BRACE) break;
      if (bytes[i] !== COMMA) return undefined;
      i++;
    }
  }
  if (hashes.length >= MAX_RECORDS) return undefined;
  const sorted = Float64Array.from(hashes, (h, n) => h * MAX_RECORDS + n).sort();
  return { bytes, open, close: i, spans: Float64Array.from(starts), sorted };
}

/** The record at `n` of `layout`, parsed. */
function recordAt(layout: StateLayout, n: number): unknown {
  const { bytes, spans } = layout;
  const start = spans[2 * n];
  const keyEnd = skipString(bytes, start);
  return JSON.parse(bytes.toString("utf8", keyEnd + 1, spans[2 * n + 1]));
}

/**
 * The document of `layout` with only the records at `addresses` (those it has), every other top-level
 * field whole, in the file's key order.
 */
export function readPart(layout: StateLayout, addresses: Iterable<string>): PartialState["doc"] {
  const { bytes, open, close } = layout;
  // The rest of the document with an empty resources object in its place: its key order is the file's.
  const doc = JSON.parse(bytes.toString("utf8", 0, open + 1) + bytes.toString("utf8", close)) as PartialState["doc"];
  const found: [string, number][] = [];
  for (const a of new Set(addresses)) {
    const n = recordIndex(layout, a);
    if (n !== undefined) found.push([a, n]);
  }
  for (const [a, n] of found.sort((x, y) => x[1] - y[1])) doc.resources[a] = recordAt(layout, n);
  return doc;
}

/**
 * The bytes of the whole document after an apply on top of `readPart`'s: the untouched records' bytes as
 * they were and in place, the `touched` ones serialised from `doc` (in place, or dropped when removed),
 * the new ones after them in `doc`'s order. A record removed and recorded again goes last, as in the
 * whole document, where deleting and adding a key moves it to the end.
 */
export function spliceState(layout: StateLayout, doc: PartialState["doc"], touched: ReadonlySet<string>, moved: ReadonlySet<string>): Buffer[] {
  const { bytes, spans } = layout;
  const [head, tail] = aroundResources(doc);
  const out: Buffer[] = [Buffer.from(head, "utf8")];
  let first = true;
  const sep = (): Buffer => {
    const b = Buffer.from(first ? "" : ",");
    first = false;
    return b;
  };
  const push = (entry: string | undefined): void => {
    if (entry !== undefined) out.push(sep(), Buffer.from(entry, "utf8"));
  };
  // Runs of untouched records go out as one slice of the file.
  let runStart = -1, runEnd = -1;
  const flush = (): void => {
    if (runStart < 0) return;
    out.push(sep(), bytes.subarray(runStart, runEnd));
    runStart = -1;
  };
  const records = spans.length / 2;
  const touchedAt = new Set<number>();
  for (const a of touched) {
    const n = recordIndex(layout, a);
    if (n !== undefined) touchedAt.add(n);
  }
  for (let n = 0; n < records; n++) {
    if (!touchedAt.has(n)) {
      if (runStart < 0) runStart = spans[2 * n];
      runEnd = spans[2 * n + 1];
      continue;
    }
    flush();
    const a = keyAt(layout, n);
    if (moved.has(a) || !(a in doc.resources)) continue;
    push(recordEntry(a, doc.resources[a]));
  }
  flush();
  for (const a of Object.keys(doc.resources)) {
    if (!moved.has(a) && recordIndex(layout, a) !== undefined) continue;
    push(recordEntry(a, doc.resources[a]));
  }
  out.push(Buffer.from(tail, "utf8"));
  return out;
}

/**
 * Everything of a compact document but its resources' records, as JSON.stringify of the whole would
 * write it: the text up to and including the resources' `{`, and from their `}` on.
 */
function aroundResources(doc: { resources: object }): [string, string] {
  const marker = `\u0001resources-${process.pid}-${Date.now()}`;
  const outer = JSON.stringify({ ...doc, resources: marker });
  const at = outer.indexOf(JSON.stringify(marker));
  return [outer.slice(0, at) + "{", "}" + outer.slice(at + JSON.stringify(marker).length)];
}

/**
 * One `"address":record` entry of the resources object, as JSON.stringify of the whole writes it;
 * undefined for a value without JSON (undefined), which JSON.stringify leaves out.
 */
function recordEntry(address: string, rec: unknown): string | undefined {
  const value = JSON.stringify(rec) as string | undefined;
  return value === undefined ? undefined : `${JSON.stringify(address)}:${value}`;
}

/** Bytes a compact document is written in at a time: few enough writes, no copy of the whole. */
const CHUNK = 1 << 20;

/**
 * A whole document written compact, in chunks of about a megabyte: the bytes of JSON.stringify(doc)
 * and a newline, without ever holding them whole. At 100,000 systems the one string of 290 MB, its
 * flattened copy and its bytes were 0.9 GB at the end of a first apply, its peak.
 */
export function* compactStateChunks(doc: { resources: Record<string, unknown> }): Generator<Buffer> {
  const [head, tail] = aroundResources(doc);
  let text = head;
  let first = true;
  for (const a of Object.keys(doc.resources)) {
    const entry = recordEntry(a, doc.resources[a]);
    if (entry === undefined) continue;
    text += first ? entry : `,${entry}`;
    first = false;
    if (text.length >= CHUNK) {
      yield Buffer.from(text, "utf8");
      text = "";
    }
  }
  yield Buffer.from(text + tail + "\n", "utf8");
}

function keyAt(layout: StateLayout, n: number): string {
  const start = layout.spans[2 * n];
  return keyOf(layout.bytes, start, skipString(layout.bytes, start));
}
