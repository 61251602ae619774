/**
 * A stack's state read from PostgreSQL in one consistent snapshot, as JSON text: the head (lineage,
 * serial), the resource rows joined into documents of a few megabytes each, the pending operations,
 * and a stamp that changes whenever any of them does. Text, because it is parsed in one go far faster
 * than row by row, and because a worker thread can read it and hand it over (see pg-prefetch.ts).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { resourceColumns, rowJson, type ResourceRow } from "./pg-rows.js";
import type { PendingOperation, StateDocument } from "./types.js";

/** The recorded state as read, before parsing. */
export interface PgSnapshot {
  /** Undefined when the stack has no state yet. */
  lineage?: string;
  serial: number;
  /** Changes with every write to the stack's state (see stampSql); compared to trust a snapshot taken before the lock. */
  stamp: string;
  /** JSON objects of records by address, in address order. */
  chunks: string[];
  pending: PendingOperation[];
}

/** How large a chunk of resources grows before the next begins (characters): far below V8's string limit. */
const CHUNK = 8 << 20;

/**
 * The stack's stamp: its stacks row's version (xmin: every write bumps the serial, replacing a state
 * replaces the row) and the journal's last sequence number (an operation's start writes only there).
 */
export function stampSql(S: string): string {
  return `SELECT s.lineage, s.serial, s.xmin::text || ':' || coalesce((SELECT max(o.seq) FROM ${S}.operations o WHERE o.stack = $1), 0) AS stamp
    FROM ${S}.stacks s WHERE s.name = $1`;
}

/** Reads stack `stack` in schema `S` (quoted) in one REPEATABLE READ snapshot; only the rows at `only` when given. */
export async function readSnapshot(c: pg.ClientBase, S: string, stack: string, only?: string[]): Promise<PgSnapshot> {
  await c.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const head = (await c.query<{ lineage: string; serial: string; stamp: string }>(stampSql(S), [stack])).rows[0];
    if (!head) return { serial: 0, stamp: "none", chunks: [], pending: [] };
    const columns = `SELECT ${resourceColumns()} FROM ${S}.resources WHERE stack = $1`;
    const rows = only
      ? await c.query<ResourceRow>(`${columns} AND address = ANY($2::text[]) ORDER BY address`, [stack, only])
      : await c.query<ResourceRow>(`${columns} ORDER BY address`, [stack]);
    const pending = await c.query<{ address: string; action: PendingOperation["action"]; started_at: string }>(
      `SELECT address, action, started_at FROM ${S}.operations WHERE stack = $1 AND outcome IS NULL ORDER BY seq`, [stack]);
    return {
      lineage: head.lineage, serial: Number(head.serial), stamp: head.stamp, chunks: chunked(rows.rows),
      pending: pending.rows.map((p) => ({ address: p.address, action: p.action, startedAt: p.started_at })),
    };
  } finally {
    await c.query("COMMIT");
  }
}

/** The rows as JSON objects of records by address, each chunk at most about CHUNK characters. */
function chunked(rows: ResourceRow[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let size = 0;
  for (const r of rows) {
    const part = `${JSON.stringify(r.address)}:${rowJson(r)}`;
    parts.push(part);
    size += part.length;
    if (size >= CHUNK) {
      chunks.push(`{${parts.join(",")}}`);
      parts = [];
      size = 0;
    }
  }
  if (parts.length) chunks.push(`{${parts.join(",")}}`);
  return chunks;
}

/** The state document a snapshot holds (a new lineage when the stack has none yet). */
export function documentOf(snap: PgSnapshot, stack: string): StateDocument {
  const doc: StateDocument = { version: 1, lineage: snap.lineage ?? randomUUID(), serial: snap.serial, stack, resources: {}, pending: snap.pending };
  if (snap.chunks.length === 1) doc.resources = JSON.parse(snap.chunks[0]) as StateDocument["resources"];
  else for (const chunk of snap.chunks) Object.assign(doc.resources, JSON.parse(chunk));
  return doc;
}
