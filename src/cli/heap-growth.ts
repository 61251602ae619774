/**
 * How far V8 lets the heap grow past the live data before it collects the old generation again. On a
 * machine with gigabytes to spare V8 allows up to four times the live data. An apply holds the plan,
 * its rendered files and the growing state to its end, so what grows is garbage: a 100,000-system first
 * apply held about 1.3 GiB live and peaked at 2.8 GiB. Collecting at 30 % growth took that peak to
 * 1.9–2.0 GiB in no more time (178 s and 179 s against 190 s; the disk moves it more). An apply spends most
 * of its time in the file system. A plan does not: it builds and diffs while its live data grows, so each
 * extra full collection marks more of it, and with the same bound a 100,000-system no-op plan in full
 * took 27 s against 19 s (two bench runs). `apply` sets it, and `state migrate`, which holds one whole
 * state and then reads its copy back: without the bound, migrating a 100,000-system state to PostgreSQL
 * peaked at 2.05 GiB, with it at 1.36 GiB, in 38 s against 33 s (README, "Benchmarks").
 */
import { setFlagsFromString } from "node:v8";

/** Growth allowed over the live heap after each full collection, in percent. */
export const HEAP_GROWING_PERCENT = 30;

/** Bounds the heap's growth for the rest of this process, unless node was started with a setting of its own. */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
