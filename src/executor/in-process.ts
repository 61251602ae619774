/** The in-process executor: bootplan's engine calls the provider objects directly, no Pulumi runtime involved. */
import { providerFor } from "../providers/index.js";
import type { Executor } from "./types.js";

/** An executor calling each kind's provider object in this process. */
export function inProcessExecutor(): Executor {
  return { name: "in-process", provider: (kind) => providerFor(kind), close: async () => {} };
}
