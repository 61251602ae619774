/** The PostgreSQL state prefetch's worker thread (see pg-prefetch.ts): one snapshot, answered once. */
import { parentPort, workerData } from "node:worker_threads";
import { pgClient } from "./pg-connect.js";
import type { PgPrefetchRequest } from "./pg-prefetch.js";
import { ident, PG_SCHEMA_VERSION } from "./pg-schema.js";
import { readSnapshot, type PgSnapshot } from "./pg-snapshot.js";

const { target, stack } = workerData as PgPrefetchRequest;
let answer: PgSnapshot | undefined;
try {
  const client = await pgClient(target, "bootplan read");
  try {
    const S = ident(target.schema);
    // Tables of another version are the store's to migrate or refuse; it reads them itself afterwards.
    const version = await client.query<{ version: number }>(`SELECT version FROM ${S}.meta`);
    if (version.rows[0]?.version === PG_SCHEMA_VERSION) answer = await readSnapshot(client, S, stack);
  } finally {
    await client.end().catch(() => undefined);
  }
} catch {
  // No tables yet, no connection: the store reads (and reports) on the main thread.
}
parentPort!.postMessage(answer);
