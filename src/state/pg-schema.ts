/**
 * The PostgreSQL backend's tables, created on first use and migrated by version. Every bootplan that
 * opens the schema runs `ensureSchema`: under a transaction-scoped advisory lock it applies the
 * migrations newer than the recorded version, so two runners starting at once cannot both create it.
 */
import type pg from "pg";
import { StateError } from "../errors.js";

/** The schema version this bootplan writes; a newer one in the database is refused. */
export const PG_SCHEMA_VERSION = 1;

/** Quotes an identifier (the schema name is checked against a pattern too, so this is belt and braces). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** DDL per version: index i brings the schema from version i to i+1. `S` is the quoted schema. */
const MIGRATIONS: ((S: string) => string)[] = [
  (S) => `
    CREATE TABLE ${S}.stacks (
      name text PRIMARY KEY,
      lineage text NOT NULL,
      serial bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- One row per recorded resource. outputs is the exact JSON text (minus fileHashes), so a state
    -- read back is the one written; node is the CM node name of a handoff, for bootplan enc.
    CREATE TABLE ${S}.resources (
      stack text NOT NULL REFERENCES ${S}.stacks(name) ON DELETE CASCADE,
      address text COLLATE "C" NOT NULL,
      kind text NOT NULL,
      id text NOT NULL,
      inputs_digest text NOT NULL,
      outputs text NOT NULL,
      file_hashes text,
      depends_on text NOT NULL,
      -- The record's other fields (e.g. declaredIn), as JSON text; NULL when it has none.
      extra text,
      node text,
      PRIMARY KEY (stack, address)
    );
    CREATE INDEX resources_node ON ${S}.resources (stack, node) WHERE node IS NOT NULL;
    -- The journal: one row per operation; outcome NULL while it runs (pending), then done or abandoned.
    CREATE TABLE ${S}.operations (
      seq bigserial PRIMARY KEY,
      stack text NOT NULL REFERENCES ${S}.stacks(name) ON DELETE CASCADE,
      address text NOT NULL,
      action text NOT NULL,
      started_at text NOT NULL,
      completed_at timestamptz,
      outcome text,
      serial bigint
    );
    CREATE INDEX operations_pending ON ${S}.operations (stack, address) WHERE outcome IS NULL;
    -- Who holds the stack's advisory lock; a row whose session is gone is stale and simply replaced.
    CREATE TABLE ${S}.locks (
      stack text PRIMARY KEY,
      pid integer NOT NULL,
      host text NOT NULL,
      command text NOT NULL,
      since text NOT NULL,
      backend_pid integer NOT NULL
    );
    -- The key of the digests recorded for secrets, shared by every runner of the stack.
    CREATE TABLE ${S}.digest_keys (
      stack text PRIMARY KEY,
      key text NOT NULL
    );`,
];

/** Creates or migrates bootplan's tables in `schema`; refuses a schema written by a newer bootplan. */
export async function ensureSchema(client: pg.ClientBase, schema: string): Promise<void> {
  const S = ident(schema);
  // Fast path: the schema is current (one round trip, no lock).
  const current = await schemaVersion(client, schema);
  if (current === PG_SCHEMA_VERSION) return;
  if (current !== undefined && current > PG_SCHEMA_VERSION) throw tooNew(schema, current);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('bootplan.schema'), hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${S}.meta (version integer NOT NULL)`);
    const r = await client.query<{ version: number }>(`SELECT version FROM ${S}.meta`);
    let version = r.rows[0]?.version ?? 0;
    if (version > PG_SCHEMA_VERSION) throw tooNew(schema, version);
    if (!r.rows.length) await client.query(`INSERT INTO ${S}.meta (version) VALUES (0)`);
    for (; version < PG_SCHEMA_VERSION; version++) await client.query(MIGRATIONS[version](S));
    await client.query(`UPDATE ${S}.meta SET version = $1`, [PG_SCHEMA_VERSION]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

async function schemaVersion(client: pg.ClientBase, schema: string): Promise<number | undefined> {
  const exists = await client.query("SELECT to_regclass($1) AS t", [`${ident(schema)}.meta`]);
  if (!exists.rows[0]?.t) return undefined;
  const r = await client.query<{ version: number }>(`SELECT version FROM ${ident(schema)}.meta`);
  return r.rows[0]?.version;
}

function tooNew(schema: string, version: number): StateError {
  return new StateError(
    "state.unsupported-version",
    `PostgreSQL schema ${schema} has bootplan table version ${version}, but this bootplan knows version ${PG_SCHEMA_VERSION}; use a newer bootplan`,
  );
}
