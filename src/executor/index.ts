/** Opens the executor a command applies through. */
import { inProcessExecutor } from "./in-process.js";
import { DEFAULT_EXECUTOR, type Executor, type ExecutorName } from "./types.js";

/** What an executor needs to know about the run. */
export interface ExecutorOptions {
  /** The stack's name, for Pulumi URNs. */
  stack: string;
}

/** Opens the named executor (the default when none is named); the Pulumi host starts only when asked for. */
export async function openExecutor(name: ExecutorName | undefined, opts: ExecutorOptions): Promise<Executor> {
  if ((name ?? DEFAULT_EXECUTOR) === "in-process") return inProcessExecutor();
  const { openPulumiHostExecutor } = await import("./pulumi-host/executor.js");
  return openPulumiHostExecutor({ stack: opts.stack });
}

/** Runs `fn` with the named executor open, closing it (stopping any host) however `fn` ends. */
export async function withExecutor<T>(name: ExecutorName | undefined, opts: ExecutorOptions, fn: (e: Executor) => Promise<T>): Promise<T> {
  const executor = await openExecutor(name, opts);
  try {
    return await fn(executor);
  } finally {
    await executor.close();
  }
}
