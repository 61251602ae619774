/** The stat prefetch's worker thread (see stat-prefetch.ts): digests and leftovers, answered once. */
import { parentPort, workerData } from "node:worker_threads";
import { findLeftovers } from "./leftovers.js";
import { statDigest } from "./stat-digest.js";
import type { StatPrefetchRequest, StatPrefetchResult } from "./stat-prefetch.js";

const request = workerData as StatPrefetchRequest;
const result: StatPrefetchResult = { digests: request.jobs.map(([root, rels]) => statDigest(root, rels)) };
if (request.leftovers) {
  const known = new Set(request.leftovers.known);
  for (const [, rels] of request.jobs) for (const rel of rels) known.add(rel);
  result.leftovers = findLeftovers(request.leftovers.root, known);
}
parentPort!.postMessage(result);
