/**
 * A stack's state read from PostgreSQL in one consistent snapshot, as JSON text: the head (lineage,
 * serial), the resource rows joined into runs of records (record-runs.ts), the pending operations, and
 * a stamp that changes whenever any of them does. Text, because runs parse far faster than rows one by
 * one, and because a worker thread can read them and hand them over (see pg-prefetch.ts).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { resourceColumns, rowJson, type ResourceRow } from "./pg-rows.js";
import { parseRecordRun, recordRuns } from "./record-runs.js";
import type { PendingOperation, StateDocument } from "./types.js";

/** A snapshot's head: all of it but the records. */
export interface PgSnapshotHead {
  /** Undefined when the stack has no state yet. */
  lineage?: string;
  serial: number;
  /** Changes with every write to the stack's state (see stampSql); compared to trust a snapshot taken before the lock. */
  stamp: string;
  pending: PendingOperation[];
}

/** The recorded state as read, before parsing. */
export interface PgSnapshot extends PgSnapshotHead {
  /** Runs of records (parseRecordRun's form), in address order, fetched as they are taken: iterate once, to the end. */
  runs: AsyncIterable<string>;
}

/**
 * The stack's stamp: its stacks row's version (xmin: every write bumps the serial, replacing a state
 * replaces the row) and the journal's last sequence number (an operation's start writes only there).
 */
export function stampSql(S: string): string {
  return `SELECT s.lineage, s.serial, s.xmin::text || ':' || coalesce((SELECT max(o.seq) FROM ${S}.operations o WHERE o.stack = $1), 0) AS stamp
    FROM ${S}.stacks s WHERE s.name = $1`;
}

/** Rows fetched from the cursor at a time: about 2 MB of a lab-like state. */
const FETCH_ROWS = 2000;

/**
 * Reads stack `stack` in schema `S` (quoted) in one REPEATABLE READ snapshot; only the rows at `only`
 * when given. The rows come through a cursor as the runs are taken, so a 100,000-system state is never
 * held as 290 MB of rows; the snapshot's transaction ends once the runs are (iterate them to the end).
 */
export async function readSnapshot(c: pg.ClientBase, S: string, stack: string, only?: string[]): Promise<PgSnapshot> {
  await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  let open = true;
  const end = async (): Promise<void> => {
    if (open) await c.query("COMMIT");
    open = false;
  };
  try {
    const head = (await c.query<{ lineage: string; serial: string; stamp: string }>(stampSql(S), [stack])).rows[0];
    if (!head) {
      await end();
      return { serial: 0, stamp: "none", runs: emptyRuns(), pending: [] };
    }
    const pending = await c.query<{ address: string; action: PendingOperation["action"]; started_at: string }>(
      `SELECT address, action, started_at FROM ${S}.operations WHERE stack = $1 AND outcome IS NULL ORDER BY seq`, [stack]);
    const rows = `SELECT ${resourceColumns()} FROM ${S}.resources WHERE stack = $1${only ? " AND address = ANY($2::text[])" : ""} ORDER BY address`;
    await c.query(`DECLARE snapshot_rows NO SCROLL CURSOR FOR ${rows}`, only ? [stack, only] : [stack]);
    return {
      lineage: head.lineage, serial: Number(head.serial), stamp: head.stamp,
      runs: recordRuns(recordTexts(c), end),
      pending: pending.rows.map((p) => ({ address: p.address, action: p.action, startedAt: p.started_at })),
    };
  } catch (err) {
    await end().catch(() => undefined);
    throw err;
  }
}

async function* emptyRuns(): AsyncGenerator<string> {}

/** The cursor's rows as record texts (`"address":{…}`), fetched a batch at a time. */
async function* recordTexts(c: pg.ClientBase): AsyncGenerator<string> {
  for (;;) {
    const { rows } = await c.query<ResourceRow>(`FETCH ${FETCH_ROWS} FROM snapshot_rows`);
    for (const r of rows) yield `${JSON.stringify(r.address)}:${rowJson(r)}`;
    if (rows.length < FETCH_ROWS) return;
  }
}

/** The records of `runs`, parsed. */
export function recordsOf(runs: Iterable<string>, into: StateDocument["resources"] = {}): StateDocument["resources"] {
  for (const run of runs) parseRecordRun(run, into);
  return into;
}

/** The records of a snapshot's runs, parsed as they come. */
export async function recordsArriving(runs: AsyncIterable<string>, into: StateDocument["resources"] = {}): Promise<StateDocument["resources"]> {
  for await (const run of runs) parseRecordRun(run, into);
  return into;
}

/** The state document of a snapshot's head and its parsed records (a new lineage when the stack has none yet). */
export function documentOf(head: PgSnapshotHead, resources: StateDocument["resources"], stack: string): StateDocument {
  return { version: 1, lineage: head.lineage ?? randomUUID(), serial: head.serial, stack, resources, pending: head.pending };
}
