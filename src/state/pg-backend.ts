/** The PostgreSQL state backend assembled: store, advisory lock and the digest key kept in the database. */
import type { StateSettings } from "../model/stack.js";
import { digesterWithKey } from "../secrets/secrets.js";
import type { StateBackend } from "./backend.js";
import { pgPool, pgTarget, type PgTarget } from "./pg-connect.js";
import { PgStateLock } from "./pg-lock.js";
import type { PgStatePrefetch } from "./pg-prefetch.js";
import { PgStateStore } from "./pg-store.js";

/** A PostgreSQL store for a stack (its pool closes with closePgConnections). */
export async function pgStore(target: PgTarget, stackName: string): Promise<PgStateStore> {
  return new PgStateStore(await pgPool(target), target, stackName, await pgPool(target, { max: 2, asyncCommit: true }));
}

/** Opens the PostgreSQL backend of a stack. */
export async function pgBackend(settings: StateSettings, stackName: string, env: NodeJS.ProcessEnv, prefetch?: PgStatePrefetch): Promise<StateBackend> {
  const store = await pgStore(pgTarget(settings, env), stackName);
  if (prefetch) store.adopt(prefetch);
  return {
    kind: "postgres",
    store,
    describe: () => store.describe(),
    lock: (command, opts) => PgStateLock.acquire(store, command, opts),
    unlock: (opts) => PgStateLock.unlock(store, opts),
    digester: async (env2) => digesterWithKey(env2.BOOTPLAN_STATE_KEY || (await store.digestKey())),
  };
}
