/** Whether stack.yaml keeps the state in PostgreSQL, found by reading stack.yaml alone: for enc, and to start reading the state early. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { StateSettings } from "../model/stack.js";
import type { PgStatePrefetch } from "../state/pg-prefetch.js";
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

/**
 * Starts reading the PostgreSQL state stack.yaml names in a worker thread, for the caller to load the
 * stack meanwhile; undefined for a file state, or when stack.yaml cannot tell yet (loading it says why).
 */
export async function prefetchPgState(dir: string, env: NodeJS.ProcessEnv): Promise<PgStatePrefetch | undefined> {
  try {
    const pg = await postgresState(dir);
    if (!pg) return undefined;
    const [{ pgTarget }, { PgStatePrefetch }] = await Promise.all([import("../state/pg-connect.js"), import("../state/pg-prefetch.js")]);
    return PgStatePrefetch.start(pgTarget(pg.state, env), pg.stack);
  } catch {
    return undefined;
  }
}
