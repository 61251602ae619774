/**
 * How far V8 lets the heap grow past the live data before it collects the old generation again. On a
 * machine with gigabytes to spare V8 allows up to four times the live data, and bootplan's heap is
 * mostly data that lives to the end (the stack, the rendered files, the state), so what grows is
 * garbage: a 100,000-system first apply held about 1.3 GiB live and peaked at 2.9 GiB. Collecting at
 * 30 % growth took that peak to 1.9 GiB; its time (178 s against 190 s) moved less than the disk
 * moves it from run to run (README, "Benchmarks").
 */
import { setFlagsFromString } from "node:v8";

/** Growth allowed over the live heap after each full collection, in percent. */
export const HEAP_GROWING_PERCENT = 30;

/** Bounds the heap's growth for this process, unless node was started with a setting of its own. */
export function boundHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
