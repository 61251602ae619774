/** The PostgreSQL state prefetch's worker thread (see pg-prefetch.ts): one snapshot, handed over in parts. */
import { parentPort, workerData } from "node:worker_threads";
import { pgClient } from "./pg-connect.js";
import type { PgPrefetchMessage, PgPrefetchRequest } from "./pg-prefetch.js";
import { ident, PG_SCHEMA_VERSION } from "./pg-schema.js";
import { readSnapshot, type PgSnapshot } from "./pg-snapshot.js";

const { target, stack, parts } = workerData as PgPrefetchRequest;
const post = (m: PgPrefetchMessage): void => parentPort!.postMessage(m);
let unparsed = 0;
let parsed: (() => void) | undefined;
parentPort!.on("message", () => {
  unparsed--;
  parsed?.();
});
// The answers alone must not keep the thread alive once the snapshot is handed over.
parentPort!.unref();
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
    if (batch.length === parts.runsPerMessage) {
      await postRuns(batch);
      batch = [];
    }
  }
  if (batch.length) await postRuns(batch);
}

/**
 * Posts one message of runs once fewer than `parts.unparsedAtMost` wait for the main thread. It parses
 * none while it loads the stack, and a message waiting is memory outside both heaps: all 290 MB of a
 * 100,000-system state, which the allocator did not all give back. The main thread answers each one.
 */
async function postRuns(runs: string[]): Promise<void> {
  while (unparsed >= parts.unparsedAtMost) await new Promise<void>((resolve) => (parsed = resolve));
  unparsed++;
  post({ runs });
}
