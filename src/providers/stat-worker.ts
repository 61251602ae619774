/** The stat prefetch's worker thread (see stat-prefetch.ts): digests and leftovers, answered once. */
import { parentPort, workerData } from "node:worker_threads";
import { answerStatPrefetch, type StatPrefetchRequest } from "./stat-prefetch.js";

parentPort!.postMessage(answerStatPrefetch(workerData as StatPrefetchRequest));
