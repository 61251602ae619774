/**
 * The PostgreSQL state lock: a session advisory lock on (schema, stack) plus a row naming the holder
 * (pid, host, command, time). The database drops the advisory lock when the holder's session ends, so
 * a crashed or killed bootplan never leaves the stack locked; its stale row is simply replaced.
 */
import * as os from "node:os";
import type pg from "pg";
import { StateError } from "../errors.js";
import { LOCK_POLL_MS } from "./lock.js";
import { pgClient, pgError } from "./pg-connect.js";
import type { PgStateStore } from "./pg-store.js";
import type { LockInfo } from "./types.js";

const KEY = "hashtext($1), hashtext($2)";

interface HolderRow {
  pid: number;
  host: string;
  command: string;
  since: string;
  backend_pid: number;
}

function holder(info: LockInfo): string {
  return `pid ${info.pid} on host ${info.host} (${info.command}) since ${info.since}`;
}

async function readHolder(client: pg.ClientBase, store: PgStateStore): Promise<HolderRow | undefined> {
  const r = await client.query<HolderRow>(`SELECT pid, host, command, since, backend_pid FROM ${store.S}.locks WHERE stack = $1`, [store.stackName]);
  return r.rows[0];
}

const info = (r: HolderRow): LockInfo => ({ pid: r.pid, host: r.host, command: r.command, since: r.since });

/** The lock on a stack's PostgreSQL state, held by this process through its own database session. */
export class PgStateLock {
  private released = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly store: PgStateStore,
    /** Who holds it (this process). */
    readonly info: LockInfo,
  ) {}

  /** Takes the lock; fails fast with state.locked naming the holder, or with timeoutMs > 0 polls until free or the time is up. */
  static async acquire(store: PgStateStore, command: string, opts: { timeoutMs?: number } = {}): Promise<PgStateLock> {
    const timeoutMs = Math.max(0, opts.timeoutMs ?? 0);
    await store.use("preparing the state lock", async () => undefined); // creates the tables on first use
    const client = await pgClient(store.target);
    const args = [store.target.schema, store.stackName];
    const start = Date.now();
    try {
      for (;;) {
        const got = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${KEY}) AS ok`, args);
        if (got.rows[0].ok) {
          const me: LockInfo = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
          await client.query(
            `INSERT INTO ${store.S}.locks (stack, pid, host, command, since, backend_pid) VALUES ($1, $2, $3, $4, $5, pg_backend_pid())
             ON CONFLICT (stack) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, command = EXCLUDED.command, since = EXCLUDED.since, backend_pid = EXCLUDED.backend_pid`,
            [store.stackName, me.pid, me.host, me.command, me.since]);
          return new PgStateLock(client, store, me);
        }
        const waited = Date.now() - start;
        if (waited >= timeoutMs) {
          const row = await readHolder(client, store);
          const who = row ? holder(info(row)) : "another bootplan (its holder row is not written yet)";
          const waitedText = timeoutMs ? `; waited ${Math.round(waited / 100) / 10}s, retry with a longer --lock-timeout` : "; retry with --lock-timeout";
          throw new StateError("state.locked", `state in ${store.describe()} is locked by ${who}${waitedText}`);
        }
        await new Promise((r) => setTimeout(r, Math.min(LOCK_POLL_MS * 2, timeoutMs - waited)));
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw pgError(store.target, "taking the state lock", err);
    }
  }

  /** Removes the holder row and the advisory lock, and closes the lock's session; safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.client.query(`DELETE FROM ${this.store.S}.locks WHERE stack = $1 AND backend_pid = pg_backend_pid()`, [this.store.stackName]);
      await this.client.query(`SELECT pg_advisory_unlock(${KEY})`, [this.store.target.schema, this.store.stackName]);
    } catch {
      // Closing the session below releases the advisory lock anyway; a stale row is replaced by the next holder.
    } finally {
      await this.client.end().catch(() => undefined);
    }
  }

  /**
   * `bootplan state unlock`: clears a holder row whose session is gone. A lock whose session is still open
   * is refused, unless force, which ends that database session (and so its lock).
   */
  static async unlock(store: PgStateStore, { force = false }: { force?: boolean } = {}): Promise<LockInfo | undefined> {
    await store.use("preparing the state lock", async () => undefined);
    const client = await pgClient(store.target);
    const args = [store.target.schema, store.stackName];
    try {
      const row = await readHolder(client, store);
      const got = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${KEY}) AS ok`, args);
      if (got.rows[0].ok) {
        // Nobody holds it: the row (if any) was left by a crash.
        await client.query(`DELETE FROM ${store.S}.locks WHERE stack = $1`, [store.stackName]);
        await client.query(`SELECT pg_advisory_unlock(${KEY})`, args);
        return row ? info(row) : undefined;
      }
      const who = row ? holder(info(row)) : "a database session with no holder row";
      if (!force) throw new StateError("state.lock-held", `state in ${store.describe()} is locked by ${who}, whose database session is still open; stop it, or run: bootplan state unlock --force`);
      const holders = await client.query<{ pid: number }>(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = hashtext($1)::oid AND objid = hashtext($2)::oid AND objsubid = 2", args);
      for (const h of holders.rows) await client.query("SELECT pg_terminate_backend($1)", [h.pid]);
      await client.query(`DELETE FROM ${store.S}.locks WHERE stack = $1`, [store.stackName]);
      return row ? info(row) : undefined;
    } catch (err) {
      throw pgError(store.target, "unlocking the state", err);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
