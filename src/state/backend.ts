/**
 * The state backend a stack names (`state: {backend: file | postgres}`): its store, its lock and the key
 * secrets' digests are made with, behind one interface so commands need not know which is in use.
 */
import type { StateSettings } from "../model/stack.js";
import { stateDigester, type SecretDigester } from "../secrets/secrets.js";
import { FileStateStore, type CommitFollower } from "./file-store.js";
import { StateLock } from "./lock.js";
import type { PgStatePrefetch } from "./pg-prefetch.js";
import type { LockInfo, StateStore } from "./types.js";

/** A held state lock. */
export interface HeldLock {
  release(): void | Promise<void>;
}

/** A stack's state backend. */
export interface StateBackend {
  readonly kind: StateSettings["backend"];
  readonly store: StateStore;
  /** Where the state lives, for messages. */
  describe(): string;
  /** Takes the state lock for `command`, failing fast naming the holder or waiting up to timeoutMs. */
  lock(command: string, opts: { timeoutMs?: number }): Promise<HeldLock>;
  /** Releases a lock left by a process that is gone (any lock with force); returns who held it. */
  unlock(opts: { force?: boolean; pid?: number }): Promise<LockInfo | undefined>;
  /** The digester for recorded secrets, keyed by BOOTPLAN_STATE_KEY or the backend's own key (`create` false: make no key file). */
  digester(env: NodeJS.ProcessEnv, opts?: { create?: boolean }): Promise<SecretDigester>;
}

/** How a backend is opened besides its settings. */
export interface BackendOptions {
  /** A PostgreSQL store takes its first read from it when that reads the same state. */
  prefetch?: PgStatePrefetch;
  /** What follows each commit of a file state (the ENC index). */
  follower?: CommitFollower;
}

/** The file backend: the state file, its lock file and the key file beside it. */
export function fileBackend(path: string, stackName: string, follower?: CommitFollower): StateBackend {
  const store = new FileStateStore(path, stackName, follower);
  return {
    kind: "file",
    store,
    describe: () => `state file ${path}`,
    lock: (command, opts) => StateLock.acquire(path, command, opts),
    unlock: async (opts) => StateLock.unlock(path, opts),
    digester: async (env, opts) => stateDigester(path, env, opts),
  };
}

/** Opens the backend `settings` name for stack `stackName`; PostgreSQL's client is loaded only when used. */
export async function openStateBackend(settings: StateSettings, stackName: string, env: NodeJS.ProcessEnv, { prefetch, follower }: BackendOptions = {}): Promise<StateBackend> {
  if (settings.backend !== "postgres") return fileBackend(settings.path, stackName, follower);
  const { pgBackend } = await import("./pg-backend.js");
  return pgBackend(settings, stackName, env, prefetch);
}
