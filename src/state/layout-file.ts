/**
 * The layout of a compact state file, kept beside it (`<state>.layout`): where each record lies, so a
 * delta plan or a saved plan's apply reads the few records it needs without reading and scanning the
 * whole file first (1 s of a one-system change at 100,000 systems, whose 290 MB state holds 280,000
 * records). A cache and nothing more: it names the state file's stamp, and one that does not match the
 * file as it is now, or does not fit its bytes, is ignored and the file scanned as before.
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { MAX_RECORDS, type RecordSpans, type StateLayout } from "./partial-file.js";
import { stateStamp } from "./stamp.js";

const MAGIC = "bootplan-state-layout 1\n";

/** Where the layout of the state file at `statePath` is kept. */
export const layoutPathFor = (statePath: string): string => `${statePath}.layout`;

/** What the file says before its numbers. */
interface Header {
  stamp: string;
  size: number;
  open: number;
  close: number;
  records: number;
}

/**
 * Keeps the layout of the state file just written at `statePath` (removes a kept one when there is
 * none). Best effort and not fsynced: a missing or stale layout only sends the next reader to scan.
 */
export function saveLayout(statePath: string, spans: RecordSpans | undefined): void {
  const path = layoutPathFor(statePath);
  const stamp = stateStamp(statePath);
  if (!spans || !stamp) return void rmSync(path, { force: true });
  const header: Header = { stamp, size: spans.size, open: spans.open, close: spans.close, records: spans.sorted.length };
  const head = `${MAGIC}${JSON.stringify(header)}\n`;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    rmSync(tmp, { force: true });
    writeFileSync(tmp, Buffer.concat([Buffer.from(head), bytesOf(spans.spans), bytesOf(spans.sorted)]), { mode: 0o600, flag: "wx" });
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
    rmSync(path, { force: true });
  }
}

/** The layout kept for the state file at `statePath`, reading its bytes from that file; undefined when none is kept for the file as it is now. */
export function loadLayout(statePath: string): StateLayout | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(layoutPathFor(statePath));
  } catch {
    return undefined;
  }
  const nl = bytes.indexOf(0x0a, MAGIC.length);
  if (nl < 0 || bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) return undefined;
  let h: Header;
  try {
    h = JSON.parse(bytes.toString("utf8", MAGIC.length, nl)) as Header;
  } catch {
    return undefined;
  }
  const at = nl + 1;
  if (h.stamp !== stateStamp(statePath) || bytes.length !== at + 24 * h.records) return undefined;
  // A copy: the numbers need not start where a Float64Array can view them.
  const numbers = new Float64Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + bytes.length));
  const layout: StateLayout = {
    size: h.size,
    open: h.open,
    close: h.close,
    spans: numbers.subarray(0, 2 * h.records),
    sorted: numbers.subarray(2 * h.records),
    read: (start, end, scratch) => readRange(statePath, start, end, scratch),
  };
  return fits(layout, h.stamp) ? layout : undefined;
}

/**
 * Whether the numbers can be a compact file's layout: records back to back from the resources' `{` to
 * their `}`, each found by its place in `sorted` exactly once. A record looked up through a layout that
 * does not fit would not be found, and a plan would take it for one never created.
 */
function fits(l: RecordSpans, stamp: string): boolean {
  const { spans, sorted } = l;
  const n = sorted.length;
  if (String(l.size) !== stamp.split(":")[0] || !(l.open < l.close && l.close < l.size)) return false;
  let at = l.open + 1;
  for (let i = 0; i < n; i++) {
    if (spans[2 * i] !== at || !(spans[2 * i + 1] > at)) return false;
    at = spans[2 * i + 1] + 1;
  }
  if ((n ? at - 1 : at) !== l.close) return false;
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = sorted[k] % MAX_RECORDS;
    if ((k && sorted[k] < sorted[k - 1]) || !(i < n) || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

function bytesOf(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Bytes [start, end) of the file at `path` (in `scratch` when it is long enough); a range past its end is an error, as a layout that does not fit its file is. */
function readRange(path: string, start: number, end: number, scratch?: Buffer): Buffer {
  const out = scratch && scratch.length >= end - start ? scratch.subarray(0, end - start) : Buffer.allocUnsafe(end - start);
  const fd = openSync(path, "r");
  try {
    let got = 0;
    while (got < out.length) {
      const n = readSync(fd, out, got, out.length - got, start + got);
      if (n === 0) throw new SyntaxError(`the state file ends at ${start + got}, before ${end}`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
