/** Whether stack.yaml keeps the state in PostgreSQL, found by reading stack.yaml alone: for enc and inventory, and to start reading the state early. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { StateSettings } from "../model/stack.js";
import { stateSettings } from "../stack/state-settings.js";

/** The stack's name and state settings when stack.yaml puts its state in PostgreSQL; undefined otherwise. */
export async function postgresState(dir: string): Promise<{ stack: string; state: StateSettings } | undefined> {
  const file = join(resolve(dir), "stack.yaml");
  if (!existsSync(file)) return undefined; // the file lookup words the error
  const text = readFileSync(file, "utf8");
  if (!/\bbackend\s*:\s*["']?postgres/.test(text)) return undefined;
  // js-yaml: values only, and it loads in half the time of the position-keeping parser (enc is per agent run).
  const { load } = (await import("js-yaml")).default;
  const doc = load(text) as { stack?: string; state?: Parameters<typeof stateSettings>[1] } | null;
  if (doc?.state?.backend !== "postgres" || typeof doc.stack !== "string") return undefined;
  return { stack: doc.stack, state: stateSettings(dirname(file), doc.state, "") };
}

