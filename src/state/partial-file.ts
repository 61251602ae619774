/**
 * Part of a state file, read and written without parsing the rest. A one-system change of a
 * 100,000-system fleet touches a few of 280,000 records: parsing the 290 MB document to read them and
 * serialising it again to write them took 8 s. Here the file's bytes are scanned for where each record
 * starts and ends (0.3 s), only the records asked for are parsed, and a commit writes the untouched
 * records' bytes back as they were, around the touched ones serialised afresh: the very bytes
 * JSON.stringify of the whole document would give. Every write also says where its records went, so
 * the next reader need not scan at all (state/layout-file.ts).
 */

import { parseRecordRun, RUN_AT_LEAST, RUN_AT_MOST } from "./record-runs.js";

/** Where each record of a compact state file's `resources` object lies in its bytes. */
export interface RecordSpans {
  /** The file's length in bytes. */
  size: number;
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

/** The spans of a state file and a way to read its bytes: all of them in memory, or parts from the file (state/layout-file.ts). */
export interface StateLayout extends RecordSpans {
  /** The file's bytes from `start` to `end` (exclusive), in `scratch` when given and long enough (the result is then only valid until its next use). */
  read(start: number, end: number, scratch?: Buffer): Buffer;
}

/** Records an index can tell apart in `sorted` (2^21: 700,000 systems' worth); a larger state is read whole. */
export const MAX_RECORDS = 2 ** 21;

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
  const { sorted, spans } = layout;
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < h * MAX_RECORDS) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < sorted.length && Math.floor(sorted[k] / MAX_RECORDS) === h; k++) {
    const n = sorted[k] % MAX_RECORDS;
    const start = spans[2 * n] + 1;
    const key = layout.read(start, start + want.length + 1);
    if (key[want.length] === QUOTE && key.subarray(0, want.length).equals(want)) return n;
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
  const sorted = sortedIndex(hashes);
  if (!sorted) return undefined;
  return { read: (start, end) => bytes.subarray(start, end), size: bytes.length, open, close: i, spans: Float64Array.from(starts), sorted };
}

/** The record at `n` of `layout`, parsed. */
function recordAt(layout: StateLayout, n: number): unknown {
  const bytes = layout.read(layout.spans[2 * n], layout.spans[2 * n + 1]);
  return JSON.parse(bytes.toString("utf8", skipString(bytes, 0) + 1));
}

/**
 * The document of `layout` with only the records at `addresses` (those it has), every other top-level
 * field whole, in the file's key order.
 */
export function readPart(layout: StateLayout, addresses: Iterable<string>): PartialState["doc"] {
  const doc = readOutsideRecords(layout);
  const found: [string, number][] = [];
  for (const a of new Set(addresses)) {
    const n = recordIndex(layout, a);
    if (n !== undefined) found.push([a, n]);
  }
  for (const [a, n] of found.sort((x, y) => x[1] - y[1])) doc.resources[a] = recordAt(layout, n);
  return doc;
}

/** The document of `layout` with an empty resources object: every other top-level field, in the file's key order. */
function readOutsideRecords(layout: StateLayout): PartialState["doc"] {
  const { open, close, size } = layout;
  return JSON.parse(layout.read(0, open + 1).toString("utf8") + layout.read(close, size).toString("utf8")) as PartialState["doc"];
}

/** Bytes of records read from the file at once by readWhole. */
const WHOLE_READ_WINDOW = 8 << 20;

/**
 * The whole document of `layout`, parsed in runs of records (record-runs.ts says why) read through one
 * reused buffer: 290 MB of fresh buffers allocated in a few seconds make V8 collect the whole heap
 * again and again while it grows.
 */
export function readWhole(layout: StateLayout): PartialState["doc"] {
  const doc = readOutsideRecords(layout);
  const resources = doc.resources;
  const { spans } = layout;
  const n = spans.length / 2;
  const scratch = Buffer.allocUnsafe(WHOLE_READ_WINDOW);
  for (let i = 0; i < n; ) {
    const start = spans[2 * i];
    let j = i + 1;
    while (j < n && spans[2 * j + 1] - start <= WHOLE_READ_WINDOW) j++;
    const bytes = layout.read(start, spans[2 * j - 1], scratch);
    // Records lie back to back, a comma between: a run of them, as parseRecordRun takes it.
    while (i < j) {
      const from = spans[2 * i];
      let k = i + 1;
      while (k < j && spans[2 * k - 1] - from < RUN_AT_LEAST && spans[2 * k + 1] - from <= RUN_AT_MOST) k++;
      parseRecordRun(bytes.toString("utf8", from - start, spans[2 * k - 1] - start), resources);
      i = k;
    }
  }
  return doc;
}

/** The bytes of a document being written, with the layout they will have (undefined for a form scanState leaves to a whole read). */
export interface WrittenState {
  parts: Iterable<Buffer>;
  layout(): RecordSpans | undefined;
}

/**
 * The bytes of the whole document, and a newline, after an apply on top of `readPart`'s: the untouched
 * records' bytes as they were and in place (read from the file as they are written), the `touched`
 * ones serialised from `doc` (in place, or dropped when removed), the new ones after them in `doc`'s
 * order. A record removed and recorded again goes last, as in the whole document, where deleting and
 * adding a key moves it to the end.
 */
export function spliceState(layout: StateLayout, doc: PartialState["doc"], touched: ReadonlySet<string>, moved: ReadonlySet<string>): WrittenState {
  const { spans } = layout;
  const [head, tail] = aroundResources(doc);
  const written = new SpanRecorder();
  // A part is new bytes, or a run of the file's [start, end) read when written.
  const parts: (Buffer | [number, number])[] = [];
  const emit = (b: Buffer): void => {
    parts.push(b);
    written.advance(b.length);
  };
  emit(Buffer.from(head, "utf8"));
  written.opened();
  let first = true;
  const sep = (): void => {
    if (!first) emit(COMMA_BYTES);
    first = false;
  };
  const push = (address: string, entry: string | undefined): void => {
    if (entry === undefined) return;
    sep();
    const start = written.at();
    emit(Buffer.from(entry, "utf8"));
    written.record(start, address);
  };
  // Runs of untouched records go out as one slice of the file, each record where the run puts it.
  const hashAt = new Float64Array(spans.length / 2);
  for (const v of layout.sorted) hashAt[v % MAX_RECORDS] = Math.floor(v / MAX_RECORDS);
  let runFirst = -1, runLast = -1;
  const flush = (): void => {
    if (runFirst < 0) return;
    sep();
    const [start, end] = [spans[2 * runFirst], spans[2 * runLast + 1]];
    const shift = written.at() - start;
    for (let k = runFirst; k <= runLast; k++) written.copied(spans[2 * k] + shift, spans[2 * k + 1] + shift, hashAt[k]);
    parts.push([start, end]);
    written.advance(end - start);
    runFirst = -1;
  };
  const records = spans.length / 2;
  const touchedAt = new Set<number>();
  for (const a of touched) {
    const n = recordIndex(layout, a);
    if (n !== undefined) touchedAt.add(n);
  }
  for (let n = 0; n < records; n++) {
    if (!touchedAt.has(n)) {
      if (runFirst < 0) runFirst = n;
      runLast = n;
      continue;
    }
    flush();
    const a = keyAt(layout, n);
    if (moved.has(a) || !(a in doc.resources)) continue;
    push(a, recordEntry(a, doc.resources[a]));
  }
  flush();
  for (const a of Object.keys(doc.resources)) {
    if (!moved.has(a) && recordIndex(layout, a) !== undefined) continue;
    push(a, recordEntry(a, doc.resources[a]));
  }
  written.closed();
  emit(Buffer.from(tail + "\n", "utf8"));
  return { parts: readRuns(layout, parts), layout: () => written.layout() };
}

/** Bytes read at a time from a run of the file: a run may be nearly all of a 290 MB state. */
const RUN_READ = 8 << 20;

function* readRuns(layout: StateLayout, parts: (Buffer | [number, number])[]): Generator<Buffer> {
  for (const p of parts) {
    if (Buffer.isBuffer(p)) yield p;
    else for (let at = p[0]; at < p[1]; at += RUN_READ) yield layout.read(at, Math.min(p[1], at + RUN_READ));
  }
}

const COMMA_BYTES = Buffer.from(",");

/** Where each record goes as a document is written, for the layout kept beside it (state/layout-file.ts). */
class SpanRecorder {
  private pos = 0;
  private open = -1;
  private close = -1;
  private readonly spans: number[] = [];
  private readonly hashes: number[] = [];
  /** False once a key with an escape is written: recordIndex could not find it. */
  private plain = true;

  /** The offset the next byte goes to. */
  at(): number {
    return this.pos;
  }

  advance(bytes: number): void {
    this.pos += bytes;
  }

  /** The resources' `{` was the last byte written. */
  opened(): void {
    this.open = this.pos - 1;
  }

  /** The resources' `}` is the next byte. */
  closed(): void {
    this.close = this.pos;
  }

  /** The record at `address` was written from `start` to here. */
  record(start: number, address: string): void {
    if (JSON.stringify(address).length !== address.length + 2) this.plain = false;
    this.copied(start, this.pos, fnvText(address));
  }

  /** A record whose key hashes to `hash` lies from `start` to `end`. */
  copied(start: number, end: number, hash: number): void {
    this.spans.push(start, end);
    this.hashes.push(hash);
  }

  layout(): RecordSpans | undefined {
    const sorted = this.plain ? sortedIndex(this.hashes) : undefined;
    return sorted && { size: this.pos, open: this.open, close: this.close, spans: Float64Array.from(this.spans), sorted };
  }
}

/** The records' hashes as RecordSpans.sorted holds them; undefined for more than it can tell apart. */
function sortedIndex(hashes: number[]): Float64Array | undefined {
  return hashes.length >= MAX_RECORDS ? undefined : Float64Array.from(hashes, (h, n) => h * MAX_RECORDS + n).sort();
}

/** FNV-1a of a text's UTF-8 bytes: fnv of Buffer.from(text), without making one for ASCII text. */
function fnvText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      const b = Buffer.from(text, "utf8");
      return fnv(b, 0, b.length);
    }
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
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
export function compactState(doc: { resources: Record<string, unknown> }): WrittenState {
  const written = new SpanRecorder();
  function* parts(): Generator<Buffer> {
    const [head, tail] = aroundResources(doc);
    let text = head;
    written.advance(Buffer.byteLength(head));
    written.opened();
    let first = true;
    for (const a of Object.keys(doc.resources)) {
      const entry = recordEntry(a, doc.resources[a]);
      if (entry === undefined) continue;
      if (!first) written.advance(1);
      text += first ? entry : `,${entry}`;
      first = false;
      const start = written.at();
      written.advance(Buffer.byteLength(entry));
      written.record(start, a);
      if (text.length >= CHUNK) {
        yield Buffer.from(text, "utf8");
        text = "";
      }
    }
    written.closed();
    written.advance(Buffer.byteLength(tail) + 1);
    yield Buffer.from(text + tail + "\n", "utf8");
  }
  return { parts: parts(), layout: () => written.layout() };
}

function keyAt(layout: StateLayout, n: number): string {
  const bytes = layout.read(layout.spans[2 * n], layout.spans[2 * n + 1]);
  return keyOf(bytes, 0, skipString(bytes, 0));
}
