/**
 * The state journal: one JSON line per completed step of an apply, appended next to the state file, so a
 * crash or Ctrl-C loses nothing without rewriting a 40 MB state after every operation.
 *
 * Format (`<state>.journal`): the first line is a header naming the lineage and serial the events apply on
 * top of; each further line is one event. Only newline-terminated lines count: a crash mid-write leaves a
 * torn last line, which readers ignore and writers cut off before appending.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StateError } from "../errors.js";
import { ensureParentDir, fsyncDir, FILE_MODE } from "../util/atomic.js";
import { checkResourceRecord } from "./schema.js";
import type { PendingOperation, ResourceRecord, StateDocument } from "./types.js";

/** The first line of a journal: which state the events apply on top of. */
export interface JournalHeader {
  op: "open";
  version: 1;
  lineage: string;
  serial: number;
  stack: string;
  openedAt: string;
}

/** One journaled step of an apply. */
export type JournalEvent =
  | { op: "begin"; address: string; action: PendingOperation["action"]; startedAt: string }
  | { op: "record"; address: string; rec: ResourceRecord }
  | { op: "remove"; address: string };

/** What a journal file holds: its header (undefined when even that was torn), events, and the intact byte length. */
export interface JournalContents {
  header: JournalHeader | undefined;
  events: JournalEvent[];
  /** Bytes up to and including the last newline; anything after is a torn write. */
  intactBytes: number;
  /** Total size on disk. */
  sizeBytes: number;
}

/** How often at most appended events are forced to disk; the OS keeps them across a process crash anyway. */
export const FSYNC_INTERVAL_MS = 200;

/** The journal file that belongs to a state file. */
export function journalPathFor(statePath: string): string {
  return `${statePath}.journal`;
}

const ACTIONS = new Set(["create", "update", "replace", "delete"]);

function corrupt(file: string, line: number, cause: string): StateError {
  return new StateError(
    "state.journal-corrupt",
    `state journal ${file}:${line} is corrupt: ${cause}; move the journal away to use the state as last committed`,
  );
}

function parseHeader(file: string, text: string): JournalHeader {
  let h: Partial<JournalHeader>;
  try {
    h = JSON.parse(text);
  } catch {
    throw corrupt(file, 1, "the header is not valid JSON");
  }
  if (h?.op !== "open" || h.version !== 1 || typeof h.lineage !== "string" || !Number.isInteger(h.serial) || typeof h.stack !== "string") {
    throw corrupt(file, 1, "the first line is not a bootplan journal header");
  }
  return h as JournalHeader;
}

function parseEvent(file: string, lineNo: number, text: string): JournalEvent {
  let ev: Partial<JournalEvent> & { rec?: unknown; action?: unknown; startedAt?: unknown };
  try {
    ev = JSON.parse(text);
  } catch {
    throw corrupt(file, lineNo, "not valid JSON");
  }
  if (typeof ev?.address !== "string") throw corrupt(file, lineNo, "event without an address");
  switch (ev.op) {
    case "begin":
      if (!ACTIONS.has(ev.action as string) || typeof ev.startedAt !== "string") throw corrupt(file, lineNo, "malformed begin event");
      return ev as JournalEvent;
    case "record": {
      const cause = checkResourceRecord(ev.address, ev.rec);
      if (cause) throw corrupt(file, lineNo, cause);
      return ev as JournalEvent;
    }
    case "remove":
      return ev as JournalEvent;
    default:
      throw corrupt(file, lineNo, `unknown event ${JSON.stringify(ev.op)}`);
  }
}

/** Reads a journal; undefined when there is none. Throws state.journal-corrupt for damage other than a torn last line. */
export function readJournal(file: string): JournalContents | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateError("state.unreadable", `cannot read state journal ${file}: ${(err as Error).message}`);
  }
  const intactBytes = buf.lastIndexOf(0x0a) + 1;
  const lines = buf.subarray(0, intactBytes).toString("utf8").split("\n");
  lines.pop(); // the empty string after the final newline
  if (lines.length === 0) return { header: undefined, events: [], intactBytes, sizeBytes: buf.length };
  const header = parseHeader(file, lines[0]!);
  const events: JournalEvent[] = [];
  for (let i = 1; i < lines.length; i++) events.push(parseEvent(file, i + 1, lines[i]!));
  return { header, events, intactBytes, sizeBytes: buf.length };
}

/** Number of serial increments the events stand for (one per record or remove). */
export function countChanges(events: readonly JournalEvent[]): number {
  let n = 0;
  for (const ev of events) if (ev.op !== "begin") n++;
  return n;
}

/** Drops the address's pending operations, in place: this runs once per operation an apply records. */
function dropPending(doc: StateDocument, address: string): void {
  const pending = doc.pending;
  for (let i = pending.length - 1; i >= 0; i--) if (pending[i].address === address) pending.splice(i, 1);
}

/** Folds one event into a document in place: the same rules for live recording and for replay. */
export function applyEvent(doc: StateDocument, ev: JournalEvent): void {
  switch (ev.op) {
    case "begin":
      dropPending(doc, ev.address);
      doc.pending.push({ address: ev.address, action: ev.action, startedAt: ev.startedAt });
      return;
    case "record":
      doc.resources[ev.address] = ev.rec;
      dropPending(doc, ev.address);
      doc.serial++;
      return;
    case "remove":
      delete doc.resources[ev.address];
      dropPending(doc, ev.address);
      doc.serial++;
      return;
  }
}

/** A record event's JSON text, built around the record's own (what JSON.stringify of the event gives). */
export function recordEventText(address: string, recText: string): string {
  return `{"op":"record","address":${JSON.stringify(address)},"rec":${recText}}`;
}

/** An open journal that events are appended to, synchronously, with fsync batched to FSYNC_INTERVAL_MS. */
export class JournalAppender {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;

  private constructor(
    /** The journal file. */
    readonly file: string,
    private readonly fd: number,
  ) {}

  /** Starts a new journal with its header; fails if one exists (callers settle an old journal first). */
  static create(file: string, header: Omit<JournalHeader, "op" | "version" | "openedAt">): JournalAppender {
    ensureParentDir(file);
    const fd = fs.openSync(file, "ax", FILE_MODE);
    const full: JournalHeader = { op: "open", version: 1, ...header, openedAt: new Date().toISOString() };
    const j = new JournalAppender(file, fd);
    j.writeLine(JSON.stringify(full));
    fs.fsyncSync(fd);
    fsyncDir(path.dirname(file));
    return j;
  }

  /** Continues an existing journal, first cutting off a torn last line so the next event starts on its own line. */
  static reopen(file: string, contents: JournalContents): JournalAppender {
    if (contents.sizeBytes !== contents.intactBytes) fs.truncateSync(file, contents.intactBytes);
    return new JournalAppender(file, fs.openSync(file, "a", FILE_MODE));
  }

  private writeLine(line: string): void {
    const buf = Buffer.from(line + "\n", "utf8");
    let off = 0;
    try {
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      // A torn line is cut off by the next reader; the events before it are intact.
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new StateError("state.journal-write-failed", `cannot append to state journal ${this.file}: ${code}${code === "ENOSPC" ? " (no space left on the device: free some and apply again)" : ""}`);
    }
  }

  /**
   * Appends one event, given as its JSON text when the caller has it already; it survives a process crash
   * as soon as this returns, and a power loss within FSYNC_INTERVAL_MS.
   */
  append(ev: JournalEvent, text = JSON.stringify(ev)): void {
    if (this.closed) throw new StateError("state.journal-closed", `state journal ${this.file} was already committed`);
    this.writeLine(text);
    this.dirty = true;
    // A timer rather than "fsync if 200 ms passed since the last one": the last events before a pause get synced too.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.sync();
    }, FSYNC_INTERVAL_MS).unref();
  }

  /** Forces appended events to disk now. */
  sync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) fs.fsyncSync(this.fd);
    this.dirty = false;
  }

  /** Syncs and closes the file; the journal stays on disk. */
  close(): void {
    if (this.closed) return;
    this.sync();
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** Deletes a journal after its events were folded into the state file. */
export function removeJournal(file: string): void {
  fs.rmSync(file, { force: true });
  fsyncDir(path.dirname(file));
}
