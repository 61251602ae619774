/**
 * `bootplan enc` against a PostgreSQL state: a node's handoff rows in one query on one connection,
 * loading neither the store, the lock nor the journal (Puppet runs enc on every agent run). The query
 * reads the tables' version with the rows; a schema missing, older or newer than this bootplan's
 * answers undefined, and the caller has the store create, migrate or refuse it, then asks again.
 */
import { pgClient, pgError, type PgTarget } from "./pg-connect.js";
import { fromRow, resourceColumns, type ResourceRow } from "./pg-rows.js";
import { ident, PG_SCHEMA_VERSION } from "./pg-schema.js";
import type { ResourceRecord } from "./types.js";

/** PostgreSQL's codes for a schema not (yet) as this bootplan writes it: no such table, schema or column. */
const NOT_READY = new Set(["42P01", "3F000", "42703"]);

/** The handoff records of CM node `node`, by address; undefined when the schema is not this bootplan's version. */
export async function handoffsOfNode(target: PgTarget, stack: string, node: string): Promise<{ address: string; rec: ResourceRecord }[] | undefined> {
  const S = ident(target.schema);
  const client = await pgClient(target, "bootplan enc");
  try {
    const r = await client.query<ResourceRow & { version: number }>(
      `SELECT m.version, ${resourceColumns("r")} FROM ${S}.meta m
        LEFT JOIN ${S}.resources r ON r.stack = $1 AND r.node = $2 ORDER BY r.address`, [stack, node]);
    if (r.rows[0]?.version !== PG_SCHEMA_VERSION) return undefined;
    return r.rows.filter((row) => row.address !== null).map((row) => ({ address: row.address, rec: fromRow(row) }));
  } catch (err) {
    if (NOT_READY.has((err as { code?: string }).code ?? "")) return undefined;
    throw pgError(target, "looking up a node", err);
  } finally {
    await client.end().catch(() => undefined);
  }
}
