/** The executor seam: the engine reaches providers only through an executor, in-process or Pulumi's own host. */
import { UsageError } from "../errors.js";
import type { BootplanProvider } from "../providers/types.js";

/** The executors bootplan can apply through, as named by `--executor` and `executor:` in stack.yaml. */
export const EXECUTOR_NAMES = ["in-process", "pulumi-host"] as const;

/** One of EXECUTOR_NAMES. */
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

/** The executor used when neither the command line nor stack.yaml names one. */
export const DEFAULT_EXECUTOR: ExecutorName = "in-process";

/**
 * Runs provider operations for the engine. `provider` has the shape of the engine's `providerFor`
 * option, so plan, apply, refresh and hooks call providers the same way whichever executor runs them.
 */
export interface Executor {
  readonly name: ExecutorName;
  /** The provider for a resource kind; `address` names the resource in URNs and errors. */
  provider(kind: string, address?: string): BootplanProvider;
  /** Releases what the executor holds (the host processes); safe to call twice. */
  close(): Promise<void>;
}

/** Parses an executor name from the command line or stack.yaml; anything else is a usage error. */
export function parseExecutorName(v: string, where = "--executor"): ExecutorName {
  if ((EXECUTOR_NAMES as readonly string[]).includes(v)) return v as ExecutorName;
  throw new UsageError(`${where} expects one of ${EXECUTOR_NAMES.join(", ")}, got ${JSON.stringify(v)}`);
}
