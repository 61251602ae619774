/**
 * A PostgreSQL state read started before the stack is loaded: a worker thread takes the snapshot on
 * its own connection while the main thread parses the stack (at 100,000 systems both take seconds).
 * The snapshot is taken before the state lock, so the store trusts it only if the stack's stamp under
 * the lock is still the snapshot's (see PgStateStore.read). Purely an optimisation: when the worker
 * cannot answer (its compiled file missing, no tables yet, any error) the store reads as before.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { whileOpen, type PgTarget } from "./pg-connect.js";
import { recordsOf, type PgSnapshotHead } from "./pg-snapshot.js";
import type { StateDocument } from "./types.js";

/** How the worker hands the runs over: runs per message, and messages it lets wait unparsed at most. */
export interface PgPrefetchParts {
  runsPerMessage: number;
  unparsedAtMost: number;
}

/** About 4 MB per message, and 64 MB waiting while the main thread loads the stack (pg-read-worker.ts says why). */
export const PG_PREFETCH_PARTS: PgPrefetchParts = { runsPerMessage: 36, unparsedAtMost: 16 };

/** What the worker is asked. */
export interface PgPrefetchRequest {
  target: PgTarget;
  stack: string;
  parts: PgPrefetchParts;
}

/** What the worker sends, in order: the snapshot's head, its runs of records in parts, the end (alone when it has no snapshot; none when the read failed). */
export type PgPrefetchMessage = { head: PgSnapshotHead } | { runs: string[] } | { end: true };

/** A snapshot as the prefetch hands it over: its head and its records, parsed. */
export interface PrefetchedState {
  head: PgSnapshotHead;
  resources: StateDocument["resources"];
}

/** A snapshot being read for `stack` in `target`. */
export class PgStatePrefetch {
  private constructor(
    readonly target: PgTarget,
    readonly stack: string,
    /** The snapshot, or undefined when the worker could not take it. */
    readonly snapshot: Promise<PrefetchedState | undefined>,
  ) {}

  /** Starts the worker thread (none when running from sources); tests make the parts small. */
  static start(target: PgTarget, stack: string, parts = PG_PREFETCH_PARTS): PgStatePrefetch {
    const file = fileURLToPath(new URL("./pg-read-worker.js", import.meta.url));
    if (!existsSync(file)) return new PgStatePrefetch(target, stack, Promise.resolve(undefined));
    const worker = new Worker(file, { workerData: { target, stack, parts } satisfies PgPrefetchRequest });
    // A command that fails before it reads the state must not wait for the read: closing ends it.
    const done = whileOpen({ end: async () => void (await worker.terminate()) });
    const snapshot = new Promise<PrefetchedState | undefined>((resolve) => {
      let got: PrefetchedState | undefined;
      worker.on("message", (m: PgPrefetchMessage) => {
        try {
          if ("head" in m) got = { head: m.head, resources: {} };
          else if ("runs" in m) {
            recordsOf(m.runs, got!.resources);
            // Parsed: the worker may post another (pg-read-worker.ts bounds those waiting).
            worker.postMessage(0);
          }
          else resolve(got);
        } catch {
          resolve(undefined);
          void worker.terminate();
        }
      });
      worker.once("error", () => resolve(undefined));
      worker.once("exit", () => resolve(undefined));
    }).finally(done);
    return new PgStatePrefetch(target, stack, snapshot);
  }

  /** Whether this prefetch reads the state of `stack` in `target`. */
  reads(target: PgTarget, stack: string): boolean {
    return this.target.url === target.url && this.target.schema === target.schema && this.stack === stack;
  }
}
