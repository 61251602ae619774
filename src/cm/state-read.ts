/**
 * Reads recorded CM handoffs straight from the state file, fast: `bootplan enc` runs once per Puppet
 * agent run, so it neither loads the stack nor parses a state that may hold tens of thousands of
 * resources. Records are found by their address key in the raw bytes and only they are parsed; when
 * the quick scan finds nothing the whole document is parsed, so an unusual layout costs time, never
 * correctness. Imports nothing beyond node built-ins (the file store only for a state with a journal).
 */
import { existsSync, readFileSync } from "node:fs";
import { CmLookupError } from "./errors.js";

/** One recorded resource, as the state file holds it. */
export interface RecordedResource {
  kind: string;
  id: string;
  outputs: Record<string, unknown>;
  dependsOn: string[];
}

/** A CM system as its index record holds it. */
export interface RecordedCm {
  name: string;
  type: string;
  output: string;
  settings: Record<string, unknown>;
  /** Node name -> system name. */
  nodes: Record<string, string>;
  outputs: Record<string, unknown>;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN = 0x7b, CLOSE = 0x7d;
/** How far before a handoff's file key its record may start for the quick lookup (beyond it, the slow path answers). */
const LOOK_BACK = 256 * 1024;

/** The end (inclusive) of the JSON object starting at `start`, skipping strings; -1 when unbalanced. */
function objectEnd(buf: Buffer, start: number): number {
  let depth = 0;
  for (let i = start; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      for (i++; i < buf.length && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
    } else if (c === OPEN) depth++;
    else if (c === CLOSE && --depth === 0) return i;
  }
  return -1;
}

function isEscaped(buf: Buffer, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && buf[i] === BACKSLASH; i--) n++;
  return n % 2 === 1;
}

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  return i;
}

function isRecord(v: unknown): v is RecordedResource {
  return !!v && typeof v === "object" && typeof (v as RecordedResource).kind === "string" && typeof (v as RecordedResource).outputs === "object";
}

/** The recorded state of a stack, opened for CM lookups. */
export class RecordedState {
  private full?: Record<string, RecordedResource>;

  private constructor(
    readonly path: string,
    private readonly buf: Buffer,
  ) {}

  /** A state already read by another backend (PostgreSQL): `path` names it in messages. */
  static fromRecords(path: string, records: Record<string, RecordedResource>): RecordedState {
    const s = new RecordedState(path, Buffer.alloc(0));
    s.full = records;
    return s;
  }

  /** Opens the state file; a missing one is a lookup error (nothing has been handed over yet). */
  static open(path: string): RecordedState {
    if (!existsSync(path)) throw new CmLookupError("cm.no-state", `${path}: no recorded state (run bootplan apply first, or pass --state FILE)`);
    return new RecordedState(path, readFileSync(path));
  }

  /**
   * Opens the state as every reader sees it: when an apply left a journal not yet settled into the
   * file (a crash, a full disk), the journal is replayed on top, as plan and `state list` do.
   */
  static async openSettled(path: string): Promise<RecordedState> {
    if (!existsSync(`${path}.journal`)) return RecordedState.open(path);
    const { readSettledState } = await import("../state/file-store.js");
    const doc = readSettledState(path);
    if (!doc) return RecordedState.open(path);
    return new RecordedState(path, Buffer.from(JSON.stringify(doc, null, 1)));
  }

  /** Every recorded resource; parses the whole document (once). */
  all(): Record<string, RecordedResource> {
    if (!this.full) {
      let doc: { resources?: Record<string, RecordedResource> };
      try {
        doc = JSON.parse(this.buf.toString("utf8"));
      } catch (err) {
        throw new CmLookupError("cm.bad-state", `${this.path}: not a readable bootplan state (${(err as Error).message.split("\n")[0]})`);
      }
      this.full = doc.resources ?? {};
    }
    return this.full;
  }

  /** Records whose key is `"<prefix><suffix>"`, where the suffix is accepted by `suffixOk`; found without parsing the rest. */
  private scan(prefix: string, suffixOk: (suffix: string) => boolean): Map<string, RecordedResource> {
    const out = new Map<string, RecordedResource>();
    const needle = Buffer.from(`"${prefix}`);
    for (let i = this.buf.indexOf(needle); i >= 0; i = this.buf.indexOf(needle, i + 1)) {
      if (isEscaped(this.buf, i)) continue;
      const close = this.buf.indexOf(QUOTE, i + needle.length);
      if (close < 0) break;
      const key = this.buf.toString("utf8", i + 1, close);
      if (!suffixOk(key.slice(prefix.length)) || out.has(key)) continue;
      const colon = skipSpace(this.buf, close + 1);
      if (this.buf[colon] !== 0x3a) continue; // a value (e.g. in dependsOn), not a key
      const start = skipSpace(this.buf, colon + 1);
      if (this.buf[start] !== OPEN) continue;
      const end = objectEnd(this.buf, start);
      if (end < 0) continue;
      const rec = JSON.parse(this.buf.toString("utf8", start, end + 1));
      if (isRecord(rec)) out.set(key, rec);
    }
    return out;
  }

  /**
   * Records of one kind, found by their `"kind": "<kind>"` field when it opens the record (as the state
   * store writes it): a single scan for a rare string instead of one per address-like key.
   */
  private scanKind(kind: string): Map<string, RecordedResource> {
    const out = new Map<string, RecordedResource>();
    const needle = Buffer.from(JSON.stringify(kind));
    const back = (i: number): number => {
      while (i >= 0 && (this.buf[i] === 0x20 || this.buf[i] === 0x0a || this.buf[i] === 0x0d || this.buf[i] === 0x09)) i--;
      return i;
    };
    for (let i = this.buf.indexOf(needle); i >= 0; i = this.buf.indexOf(needle, i + 1)) {
      // Walk back over `"kind" :` and `{` to the record's key: `"<address>": {"kind": "<kind>"`.
      let j = back(i - 1);
      if (this.buf[j] !== 0x3a) continue;
      j = back(j - 1);
      if (this.buf.toString("latin1", j - 5, j + 1) !== '"kind"') continue;
      const open = back(j - 6);
      if (this.buf[open] !== OPEN) continue;
      const colon = back(open - 1);
      if (this.buf[colon] !== 0x3a) continue;
      const close = back(colon - 1);
      if (this.buf[close] !== QUOTE) continue;
      const start = this.buf.lastIndexOf(QUOTE, close - 1);
      if (start < 0 || isEscaped(this.buf, start)) continue;
      const end = objectEnd(this.buf, open);
      if (end < 0) continue;
      const rec = JSON.parse(this.buf.toString("utf8", open, end + 1));
      if (isRecord(rec) && rec.kind === kind) out.set(this.buf.toString("utf8", start + 1, close), rec);
    }
    return out;
  }

  /**
   * Handoff records (kind "cm") holding a file whose path ends with `suffix`, found in one scan for
   * the path: each hit is a key of the record's `files`, and the record opens at the nearest
   * `"kind": "cm"` before it. Every candidate is parsed and checked, so a miss only means "look the
   * slow way"; it never returns a record that does not hold the file.
   */
  handoffsWithFile(suffix: string): { address: string; rec: RecordedResource; path: string }[] {
    const out: { address: string; rec: RecordedResource; path: string }[] = [];
    const needle = Buffer.from(`${JSON.stringify(suffix).slice(1, -1)}":`);
    const markers = [Buffer.from('"kind": "cm"'), Buffer.from('"kind":"cm"')];
    const seen = new Set<number>();
    for (let i = this.buf.indexOf(needle); i >= 0; i = this.buf.indexOf(needle, i + 1)) {
      // A record's files follow its short identity and class; looking back further would cost a scan of the whole state per miss.
      const from = Math.max(0, i - LOOK_BACK);
      const window = this.buf.subarray(from, i);
      const at = Math.max(...markers.map((m) => window.lastIndexOf(m)));
      const open = at < 0 ? -1 : from + at - 1;
      if (open < 0 || seen.has(open)) continue;
      const start = this.buf.lastIndexOf(OPEN, open + 1);
      const end = start < 0 ? -1 : objectEnd(this.buf, start);
      if (end < i) continue;
      seen.add(open);
      const rec = JSON.parse(this.buf.toString("utf8", start, end + 1));
      if (!isRecord(rec) || rec.kind !== "cm") continue;
      const o = rec.outputs as { cm?: string; system?: string; files?: Record<string, string>; fileDigests?: Record<string, string> };
      const path = Object.keys(o.files ?? o.fileDigests ?? {}).find((f) => f.endsWith(suffix) && (f.length === suffix.length || f[f.length - suffix.length - 1] === "/" || suffix.startsWith("/")));
      if (path && o.cm && o.system) out.push({ address: `cm.${o.cm}.${o.system}`, rec, path });
    }
    return out;
  }

  /** One recorded resource by address. */
  record(address: string): RecordedResource | undefined {
    if (this.full) return this.full[address];
    return this.scan(address, (s) => s === "").get(address) ?? this.all()[address];
  }

  /** The CM systems recorded (their index resources), optionally only those of one type. */
  cmSystems(type?: string): RecordedCm[] {
    // CM names have no dots, so `cm.<name>` keys are indexes and `cm.<name>.<system>` ones handoffs.
    let found = this.full ? undefined : this.scanKind("cm-index");
    if (!this.full && !found?.size) found = this.scan("cm.", (s) => /^[A-Za-z0-9_-]+$/.test(s));
    if (!found?.size) found = new Map(Object.entries(this.all()).filter(([a, r]) => r.kind === "cm-index" && /^cm\.[A-Za-z0-9_-]+$/.test(a)));
    const out: RecordedCm[] = [];
    for (const r of found.values()) {
      if (r.kind !== "cm-index") continue;
      const o = r.outputs as { name: string; type: string; output: string; settings?: Record<string, unknown>; nodes?: Record<string, string> };
      if (type && o.type !== type) continue;
      out.push({ name: o.name, type: o.type, output: o.output, settings: o.settings ?? {}, nodes: o.nodes ?? {}, outputs: r.outputs });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}

/**
 * The CM system of `type` to read: the one named, or the only one recorded. `node`, when given,
 * narrows the choice to CM systems that know that node.
 */
export function chooseCm(state: RecordedState, type: string, label: string, name?: string, node?: string): RecordedCm {
  const all = state.cmSystems(type);
  if (name) {
    const c = all.find((x) => x.name === name);
    if (!c) throw new CmLookupError("cm.unknown-cm", `${name}: no ${label} CM system in ${state.path} (recorded: ${all.map((x) => x.name).join(", ") || "none"})`);
    return c;
  }
  const fits = node ? all.filter((c) => node in c.nodes) : all;
  if (fits.length === 1) return fits[0];
  if (!all.length) throw new CmLookupError("cm.unknown-cm", `no ${label} CM system is recorded in ${state.path} (run bootplan apply after declaring one under cm:)`);
  if (!fits.length) throw new CmLookupError("cm.unknown-node", `${node}: not a node of ${label} CM system ${all.map((x) => x.name).join(" or ")} in ${state.path}`);
  throw new CmLookupError("cm.ambiguous", `${node ?? "this state"}: several ${label} CM systems could answer (${fits.map((x) => x.name).join(", ")}); choose one with --cm-system NAME`);
}
