/** The PostgreSQL state prefetch's worker thread (see pg-prefetch.ts): one snapshot, handed over in parts. */
import { parentPort, workerData } from "node:worker_threads";
import { pgClient } from "./pg-connect.js";
import type { PgPrefetchMessage, PgPrefetchRequest } from "./pg-prefetch.js";
import { ident, PG_SCHEMA_VERSION } from "./pg-schema.js";
import { readSnapshot, type PgSnapshot } from "./pg-snapshot.js";

/** Runs per message: about 4 MB, which the main thread parses before it takes the next. */
const RUNS_PER_MESSAGE = 36;

const { target, stack } = workerData as PgPrefetchRequest;
const post = (m: PgPrefetchMessage): void => parentPort!.postMessage(m);
try {
  const client = await pgClient(target, "bootplan read");
  try {
    const S = ident(target.schema);
    // Tables of another version are the store's to migrate or refuse; it reads them itself afterwards.
    const version = await client.query<{ version: number }>(`SELECT version FROM ${S}.meta`);
    if (version.rows[0]?.version === PG_SCHEMA_VERSION) await handOver(await readSnapshot(client, S, stack));
  } finally {
    await client.end().catch(() => undefined);
  }
  post({ end: true });
} catch {
  // No connection, or a read cut short: no end is posted, so the main thread, seeing the worker exit
  // without one, reads (and reports) the state itself rather than take the runs that came as all of it.
}

/**
 * Posts the snapshot in parts as its rows arrive. One message of all 290 MB of a 100,000-system state
 * would land in the main thread's heap as strings it frees only in a full collection; parts of a few
 * megabytes it parses and frees as they come.
 */
async function handOver(snap: PgSnapshot): Promise<void> {
  const { runs, ...head } = snap;
  post({ head });
  let batch: string[] = [];
  for await (const run of runs) {
    batch.push(run);
    if (batch.length === RUNS_PER_MESSAGE) {
      post({ runs: batch });
      batch = [];
    }
  }
  if (batch.length) post({ runs: batch });
}
