/**
 * The plan's refresh, started early and run off the main thread: while the main thread parses the
 * stack and builds the desired resources, a worker thread takes the stat digest of every recorded
 * resource's files and walks the provisioning root for leftovers. The refresh then finds each digest
 * ready instead of calling lstat 30,000 times itself. Purely an optimisation: without the worker (its
 * compiled file missing, or it fails) everything is read on the main thread as before.
 */
import { WorkerTask } from "../util/worker-task.js";
import type { Leftovers } from "./leftovers.js";

/**
 * What the worker is asked: digests of `jobs` ([root, rels]), and the leftovers of `root` given the
 * recorded files (those of the jobs and `known`).
 */
export interface StatPrefetchRequest {
  jobs: [root: string, rels: string[]][];
  leftovers?: { root: string; known: string[] };
}

/** What it answers: one digest per job, in order, and the leftovers when asked. */
export interface StatPrefetchResult {
  digests: string[];
  leftovers?: Leftovers;
}

/**
 * Digests taken by the prefetch, by the object that stands for the record they were taken for
 * (`filesKey` in recorded-hashes.ts: the refresh reads the same state document), with the root they
 * were taken under. Set only while a refresh uses them (see `using`).
 */
let current: WeakMap<object, { root: string; digest: string }> | undefined;

/** The prefetched stat digest of a recorded resource's files under `root`, if a prefetch is in use and took it. */
export function prefetchedStatDigest(key: object | undefined, root: string): string | undefined {
  const hit = key && current?.get(key);
  return hit && hit.root === root ? hit.digest : undefined;
}

/** A prefetch under way: its digests and leftovers once the worker answers (undefined if it could not). */
export class StatPrefetch {
  private constructor(
    private readonly request: StatPrefetchRequest,
    /** The object standing for each job's record (its `filesKey`), in order. */
    private readonly keys: object[],
    private readonly answer: Promise<StatPrefetchResult | undefined>,
  ) {}

  /** No prefetch: everything is read on the main thread when asked. */
  static none(): StatPrefetch {
    return new StatPrefetch({ jobs: [] }, [], Promise.resolve(undefined));
  }

  /**
   * Starts the worker; `keys` stand for the records the jobs are for (their `filesKey`). Without its
   * compiled file (running from sources) the prefetch answers nothing.
   */
  static start(request: StatPrefetchRequest, keys: object[]): StatPrefetch {
    return new StatPrefetch(request, keys, WorkerTask.start<StatPrefetchResult>(new URL("./stat-worker.js", import.meta.url), request).answer);
  }

  /** The leftovers of the root, as the worker found them (undefined: find them on the main thread). */
  async leftovers(): Promise<Leftovers | undefined> {
    return (await this.answer)?.leftovers;
  }

  /** Runs `fn` (a refresh that writes nothing) with the prefetched digests in place of reading them. */
  async using<T>(fn: () => Promise<T>): Promise<T> {
    const r = await this.answer;
    if (!r) return fn();
    const map = new WeakMap<object, { root: string; digest: string }>();
    this.request.jobs.forEach(([root], i) => map.set(this.keys[i], { root, digest: r.digests[i] }));
    current = map;
    try {
      return await fn();
    } finally {
      current = undefined;
    }
  }
}
