/** The file state backend (the default): one JSON document per stack, plus a journal while an apply runs. */
import * as fs from "node:fs";
import { randomUUID } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { InternalError, StateError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import {
  applyEvent,
  countChanges,
  journalPathFor,
  JournalAppender,
  readJournal,
  removeJournal,
  recordEventText,
  type JournalContents,
  type JournalEvent,
} from "./journal.js";
import { checkResourceRecord, checkStateDocument } from "./schema.js";
import { loadLayout, saveLayout } from "./layout-file.js";
import { compactState, readPart, readWhole, scanState, spliceState, type PartialState, type StateLayout, type WrittenState } from "./partial-file.js";
import { stateStamp } from "./stamp.js";
import type { PendingOperation, ResourceRecord, StateDocument, StateStore, SyncStateWriter } from "./types.js";

/** States with more resources than this are written compact: indenting a 40 MB document doubles its cost and size. */
export const PRETTY_PRINT_MAX_RESOURCES = 1000;

/** What to do with a journal found next to the state. */
type JournalStatus =
  /** No journal, or one torn before its header was complete. */
  | "none"
  /** Its events were replayed into the document and still need committing. */
  | "replayed"
  /** Already folded into the state (a crash between writing the state and deleting the journal). */
  | "folded";

/** Where a whole read finds the committed state: bytes already read, the layout kept beside the file, or neither (the file). */
interface CommittedSource {
  bytes?: Buffer;
  kept?: StateLayout;
}

interface Loaded {
  doc: StateDocument;
  journal: JournalContents | undefined;
  status: JournalStatus;
  /** Set when `doc` holds some records only (readFor): the file's layout, to write the rest back as it was. */
  layout?: StateLayout;
}

/** An I/O error's code and a hint, for messages that already name the file. */
export function ioCause(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const hint = e?.code === "ENOSPC" || e?.code === "EDQUOT" ? " (no space left on the device: free some)"
    : e?.code === "EACCES" || e?.code === "EPERM" || e?.code === "EROFS" ? " (check the permissions of the folder)" : "";
  return `${e?.code ?? oneLine(String((err as Error)?.message ?? err))}${hint}`;
}

function oneLine(text: string, max = 200): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > max ? line.slice(0, max - 3) + "..." : line;
}

/**
 * Files kept beside a state file that follow each of its commits: the ENC index (cm/enc-index.ts),
 * given by the layer that knows what it holds. Best effort: a follower never fails a commit.
 */
export interface CommitFollower {
  /** The whole document `doc` was written to `statePath`. */
  wrote(statePath: string, doc: StateDocument): void;
  /** Only the records `touched` were written afresh, in the file whose stamp was `before`. */
  patched(statePath: string, before: string | undefined, doc: StateDocument, touched: ReadonlySet<string>): void;
}

/** False when few enough records would be left that a commit of the whole would indent them: read whole then, and write as ever. */
function worthReadingInPart(layout: StateLayout, wanted: ReadonlySet<string>): boolean {
  return layout.spans.length / 2 - wanted.size > PRETTY_PRINT_MAX_RESOURCES;
}

/** Stores a stack's state in a JSON file, with `<path>.backup` (previous version) and `<path>.journal` (apply in progress). */
export class FileStateStore implements StateStore {
  /** The journal file an apply appends to. */
  readonly journalPath: string;
  /** The previous version of the state, kept on every commit. */
  readonly backupPath: string;
  /** What the last read() loaded, handed to the next writer() so an apply does not parse the state twice. */
  private lastLoad?: Loaded;

  constructor(
    /** The state file. */
    readonly path: string,
    /** The stack this state must belong to. */
    readonly stackName: string,
    /** What follows each commit; none for a store that only reads. */
    private readonly follower?: CommitFollower,
  ) {
    this.journalPath = journalPathFor(path);
    this.backupPath = `${path}.backup`;
  }

  /** The recorded state, including operations journaled by an interrupted apply (those still running show in `pending`). */
  read(): StateDocument {
    return this.readAll({});
  }

  /** The whole state (from `source` where the caller has it), kept for the next writer(). */
  private readAll(source: CommittedSource): StateDocument {
    this.lastLoad = this.load(source);
    return this.lastLoad.doc;
  }

  /**
   * The recorded state with only the records at `addresses` (what applying a saved plan touches, or a
   * targeted plan's scope), read without parsing the rest; the next writer() writes the rest back as it
   * was. A small state, one not in the compact form bootplan writes, or one with a journal to replay is
   * read whole.
   */
  async readFor(addresses: Iterable<string>): Promise<StateDocument> {
    const wanted = new Set(addresses);
    if (fs.existsSync(this.journalPath)) return this.read();
    // Through the layout kept beside the file (layout-file.ts) when there is one for the file as it is;
    // one whose records do not read as a state's sends the read to a scan, which says what is wrong.
    const kept = loadLayout(this.path);
    if (kept && !worthReadingInPart(kept, wanted)) return this.readAll({ kept });
    if (kept) {
      try {
        return this.readThrough(kept, wanted);
      } catch (err) {
        if (!(err instanceof StateError && err.code === "state.corrupt")) throw err;
      }
    }
    const bytes = this.readBytes();
    if (!bytes) return this.read();
    const layout = this.layoutOf(bytes);
    if (!layout || !worthReadingInPart(layout, wanted)) return this.readAll({ bytes });
    return this.readThrough(layout, wanted);
  }

  /** The records at `wanted` read through `layout`, kept for the next writer() to write the rest back as it was. */
  private readThrough(layout: StateLayout, wanted: ReadonlySet<string>): StateDocument {
    let doc: StateDocument;
    try {
      doc = readPart(layout, wanted) as unknown as StateDocument;
    } catch (err) {
      throw this.corrupt(`not valid JSON (${(err as Error).message})`);
    }
    this.checkCommitted(doc);
    this.lastLoad = { doc, journal: undefined, status: "none", layout };
    return doc;
  }

  /** The state file's bytes, or undefined when there is none yet. */
  private readBytes(): Buffer | undefined {
    try {
      return fs.readFileSync(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StateError("state.unreadable", `cannot read state file ${this.path}: ${oneLine((err as Error).message)}`);
    }
  }

  /** The layout of the state file's bytes, or undefined when they are not in the compact form. */
  private layoutOf(bytes: Buffer): StateLayout | undefined {
    try {
      return scanState(bytes);
    } catch (err) {
      throw this.corrupt(`not valid JSON (${(err as Error).message})`);
    }
  }

  /** Lets go of the document read() keeps for the next writer(): `state migrate` reads a 100,000-system state back before it ends. */
  forgetRead(): void {
    this.lastLoad = undefined;
  }

  /** Starts recording an apply on top of the current state (continuing an interrupted apply's journal, if any). */
  writer(): SyncStateWriter {
    // A plan-then-apply run reads once: under the state lock, nothing can have changed since read().
    const loaded = this.lastLoad ?? this.load();
    this.lastLoad = undefined;
    removeStaleStateTemps(this.path);
    return new FileStateWriter(this, loaded);
  }

  /** Writes a document atomically, keeping the previous version as the backup; a failure names the file and what to do. */
  writeDocument(doc: StateDocument): void {
    if (Object.keys(doc.resources).length <= PRETTY_PRINT_MAX_RESOURCES) {
      this.replaceFile(JSON.stringify(doc, null, 2) + "\n");
      saveLayout(this.path, undefined);
    } else this.replaceWritten(compactState(doc));
    this.follower?.wrote(this.path, doc);
  }

  /**
   * Writes the document a readFor() and the records `touched` since make: the other records' bytes as
   * read (partial-file.ts). `moved`: records removed, maybe recorded again, since.
   */
  writeSpliced(layout: StateLayout, doc: StateDocument, touched: ReadonlySet<string>, moved: ReadonlySet<string>): void {
    const before = stateStamp(this.path);
    this.replaceWritten(spliceState(layout, doc as unknown as PartialState["doc"], touched, moved));
    this.follower?.patched(this.path, before, doc, touched);
  }

  /** Replaces the file with a compact document's bytes, and keeps their layout beside it. */
  private replaceWritten(written: WrittenState): void {
    this.replaceFile(written.parts);
    saveLayout(this.path, written.layout());
  }

  private replaceFile(data: string | Iterable<Buffer>): void {
    try {
      writeFileAtomic(this.path, data);
    } catch (err) {
      const kept = fs.existsSync(this.journalPath) ? `; what was done is kept in ${this.journalPath}, and the next bootplan apply settles it` : "";
      throw new StateError("state.write-failed", `cannot write state file ${this.path}: ${ioCause(err)}${kept}`);
    }
  }

  /** True when a journal waits to be settled into the state file (an apply crashed, or its commit failed). */
  unsettled(): boolean {
    return fs.existsSync(this.journalPath);
  }

  private corrupt(cause: string): StateError {
    const hint = fs.existsSync(this.backupPath) ? `restore ${this.backupPath} or fix the file` : "fix or remove the file";
    return new StateError("state.corrupt", `state file ${this.path} is corrupt: ${oneLine(cause)}; ${hint}`);
  }

  private wrongStack(found: string, where: string): StateError {
    return new StateError(
      "state.wrong-stack",
      `${where} belongs to stack "${found}", not "${this.stackName}"; check the stack's state path`,
    );
  }

  /** The committed document, or undefined when there is no state file yet. */
  private readCommitted({ bytes, kept }: CommittedSource): StateDocument | undefined {
    const parsed = bytes ? undefined : this.readByKeptLayout(kept ?? loadLayout(this.path));
    if (parsed) return this.checkCommitted(parsed);
    let text: string;
    try {
      // Read as text, not bytes: node decodes a file straight into a string, without a 300 MB buffer first.
      text = bytes ? bytes.toString("utf8") : fs.readFileSync(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StateError("state.unreadable", `cannot read state file ${this.path}: ${oneLine((err as Error).message)}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw this.corrupt(`not valid JSON (${(err as Error).message})`);
    }
    return this.checkCommitted(value);
  }

  /**
   * The state file parsed record by record through the layout kept beside it (partial-file.ts, readWhole
   * says why); undefined when none is kept for the file as it is, or its records do not parse: the whole
   * parse then says what is wrong.
   */
  private readByKeptLayout(kept: StateLayout | undefined): unknown {
    try {
      return kept && readWhole(kept);
    } catch {
      return undefined;
    }
  }

  /** `value` as a state document of this stack, or the error that says why it is not one. */
  private checkCommitted(value: unknown): StateDocument {
    const version = (value as { version?: unknown } | null)?.version;
    if (typeof version === "number" && version !== 1) {
      throw new StateError(
        "state.unsupported-version",
        `state file ${this.path} has format version ${version}, but this bootplan reads version 1; use a newer bootplan`,
      );
    }
    const cause = checkStateDocument(value);
    if (cause) throw this.corrupt(cause);
    const doc = value as StateDocument;
    if (doc.stack !== this.stackName) throw this.wrongStack(doc.stack, `state file ${this.path}`);
    return doc;
  }

  private mismatch(detail: string): StateError {
    return new StateError(
      "state.journal-mismatch",
      `state journal ${this.journalPath} ${detail}; it was left by an apply against another state: move it away to continue`,
    );
  }

  private load(source: CommittedSource = {}): Loaded {
    const committed = this.readCommitted(source);
    const journal = readJournal(this.journalPath);
    const header = journal?.header;
    if (!header) {
      return { doc: committed ?? this.fresh(randomUUID()), journal, status: "none" };
    }
    if (header.stack !== this.stackName) throw this.wrongStack(header.stack, `state journal ${this.journalPath}`);
    let doc: StateDocument;
    if (!committed) {
      // The first apply of a stack crashed before its first commit: the journal carries the lineage.
      if (header.serial !== 0) throw this.mismatch(`applies on top of serial ${header.serial}, but ${this.path} is missing (restore ${this.backupPath})`);
      doc = this.fresh(header.lineage);
    } else {
      doc = committed;
      if (header.lineage !== doc.lineage) {
        throw this.mismatch(`belongs to state lineage ${header.lineage}, but ${this.path} has lineage ${doc.lineage}`);
      }
      if (doc.serial !== header.serial) {
        if (doc.serial === header.serial + countChanges(journal.events)) return { doc, journal, status: "folded" };
        throw this.mismatch(`applies on top of serial ${header.serial}, but ${this.path} is at serial ${doc.serial}`);
      }
    }
    for (const ev of journal.events) applyEvent(doc, ev);
    return { doc, journal, status: "replayed" };
  }

  private fresh(lineage: string): StateDocument {
    return { version: 1, lineage, serial: 0, stack: this.stackName, resources: {}, pending: [] };
  }
}

/** Records one apply into the journal as it goes, then settles it into the state file on commit. */
class FileStateWriter implements SyncStateWriter {
  private appender: JournalAppender | undefined;
  private readonly base: { lineage: string; serial: number };
  /** Whether the document differs from the state file (replayed or new events). */
  private dirty: boolean;
  private committed = false;
  /** Records recorded or removed by this writer, and those removed (a partial document writes them afresh). */
  private readonly touched = new Set<string>();
  private readonly moved = new Set<string>();

  constructor(
    private readonly store: FileStateStore,
    private readonly loaded: Loaded,
  ) {
    const doc = loaded.doc;
    this.base = { lineage: doc.lineage, serial: doc.serial };
    this.dirty = loaded.status === "replayed" && loaded.journal!.events.length > 0;
  }

  /** Opens the journal on the first event, so an apply that changes nothing leaves no files behind. */
  private journal(): JournalAppender {
    if (this.committed) throw new InternalError(`state writer for ${this.store.path} used after commit`);
    if (!this.appender) {
      const { journal, status } = this.loaded;
      if (status === "replayed") {
        this.appender = JournalAppender.reopen(this.store.journalPath, journal!);
      } else {
        // A header-less (torn) or already-folded journal holds nothing to keep.
        if (journal) removeJournal(this.store.journalPath);
        this.appender = JournalAppender.create(this.store.journalPath, { ...this.base, stack: this.store.stackName });
      }
    }
    return this.appender;
  }

  private apply(ev: JournalEvent, text?: string): void {
    this.journal().append(ev, text);
    if (ev.op !== "begin") this.touched.add(ev.address);
    if (ev.op === "remove") this.moved.add(ev.address);
    applyEvent(this.loaded.doc, ev);
    this.dirty = true;
  }

  begin(address: string, action: PendingOperation["action"]): void {
    this.apply({ op: "begin", address, action, startedAt: new Date().toISOString() });
  }

  record(address: string, rec: ResourceRecord): void {
    // Keep exactly what a replay would see (undefined dropped, Dates as strings), and refuse what would
    // corrupt the state. Serialized once: the text is both the copy's source and the journal line's.
    const text = JSON.stringify(rec) as string | undefined;
    const copy = (text === undefined ? undefined : JSON.parse(text)) as ResourceRecord;
    const cause = checkResourceRecord(address, copy);
    if (cause) throw new InternalError(`refusing to record an invalid resource: ${cause}`);
    this.apply({ op: "record", address, rec: copy }, recordEventText(address, text!));
  }

  remove(address: string): void {
    this.apply({ op: "remove", address });
  }

  commit(): StateDocument {
    if (this.committed) return this.loaded.doc;
    // The journal reaches the disk before the state is replaced, so a failed write still leaves it replayable.
    this.appender?.sync();
    const { layout, doc } = this.loaded;
    if (this.dirty) {
      if (layout) this.store.writeSpliced(layout, doc, this.touched, this.moved);
      else this.store.writeDocument(doc);
    }
    this.appender?.close();
    this.committed = true;
    if (this.appender || this.loaded.journal) removeJournal(this.store.journalPath);
    return this.loaded.doc;
  }

  current(): StateDocument {
    return this.loaded.doc;
  }
}

/**
 * The state at `path` as every reader must see it: the committed document with an unsettled journal
 * replayed on top (what plan and `state list` see), for readers that do not know the stack's name.
 */
export function readSettledState(path: string): StateDocument | undefined {
  const header = readJournal(journalPathFor(path))?.header;
  let stack = header?.stack;
  if (!stack) {
    if (!fs.existsSync(path)) return undefined;
    try {
      stack = (JSON.parse(fs.readFileSync(path, "utf8")) as { stack?: string }).stack;
    } catch (err) {
      throw new StateError("state.corrupt", `state file ${path} is corrupt: ${oneLine((err as Error).message)}`);
    }
  }
  return new FileStateStore(path, String(stack)).read();
}

/** Removes `<state>.tmp-<pid>-<hex>`, `<state>.backup.tmp-...` and `<state>.layout.<pid>.tmp` files whose writer is gone (a kill -9 mid-commit). */
function removeStaleStateTemps(statePath: string): void {
  const dir = dirname(statePath);
  const base = basename(statePath);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^(?:(?:\.backup)?\.tmp-(\d+)-[0-9a-f]+|\.layout\.(\d+)\.tmp)$/.exec(n.startsWith(base) ? n.slice(base.length) : "");
    const pid = Number(m?.[1] ?? m?.[2]);
    if (!m || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue; // its writer still runs
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EPERM") continue;
    }
    fs.rmSync(join(dir, n), { force: true });
  }
}
