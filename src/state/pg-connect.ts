/** Connections to the PostgreSQL state backend: the URL read from its source, pools closed when the CLI ends. */
import { readFileSync } from "node:fs";
import type pg from "pg";
import { StateError } from "../errors.js";
import type { SecretSource, StateSettings } from "../model/stack.js";
import { DEFAULT_PG_SCHEMA } from "../stack/state-settings.js";
import { requirePg } from "./pg-require.js";

/** Where a PostgreSQL state lives: a connection URL and the schema holding bootplan's tables. */
export interface PgTarget {
  url: string;
  schema: string;
}

const open = new Set<{ end(): Promise<void> }>();

/** The URL from `state.url` (env or file); errors name the source, never the URL. */
export function readPgUrl(source: SecretSource | undefined, env: NodeJS.ProcessEnv): string {
  if (!source) throw new StateError("state.url-missing", "state: the postgres backend needs url: {env: VAR} or url: {file: PATH} in stack.yaml");
  let url: string | undefined;
  if ("env" in source) {
    url = env[source.env];
    if (!url) throw new StateError("state.url-missing", `state.url: environment variable ${source.env} is not set (it holds the PostgreSQL URL, e.g. postgres://user@host/db)`);
  } else {
    try {
      url = readFileSync(source.file, "utf8").trim();
    } catch (err) {
      throw new StateError("state.url-missing", `state.url: cannot read ${source.file}: ${(err as Error).message.split("\n")[0]}`);
    }
    if (!url) throw new StateError("state.url-missing", `state.url: ${source.file} is empty`);
  }
  return url;
}

/** The PostgreSQL target `settings` name (URL read from its env variable or file). */
export function pgTarget(settings: StateSettings, env: NodeJS.ProcessEnv): PgTarget {
  return { url: readPgUrl(settings.url, env), schema: settings.schema ?? DEFAULT_PG_SCHEMA };
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable PostgreSQL URL)";
  }
}

/** A stack's state in the database, for messages: where it lives, never the password. */
export function describePgState(target: PgTarget, stack: string): string {
  return `PostgreSQL ${safeUrl(target.url)} (schema ${target.schema}, stack ${stack})`;
}

/** A StateError for a failed database call, naming the database (not its password) and the cause. */
export function pgError(target: PgTarget, what: string, err: unknown): StateError {
  if (err instanceof StateError) return err;
  const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return new StateError("state.database", `${what} in PostgreSQL ${safeUrl(target.url)} (schema ${target.schema}) failed: ${msg}`);
}

let loaded: typeof pg | undefined;

/**
 * node-postgres, loaded on first use. While it loads, the global `Response` reads as undefined: pg
 * probes it to detect Cloudflare Workers, and on Node 20 that first touch loads the whole fetch
 * implementation (~20 ms, on every `bootplan enc` against PostgreSQL). The global is put back as it was.
 */
export function loadPg(): typeof pg {
  if (loaded) return loaded;
  const response = Object.getOwnPropertyDescriptor(globalThis, "Response");
  if (response?.configurable) Object.defineProperty(globalThis, "Response", { value: undefined, configurable: true, writable: true });
  try {
    return (loaded = requirePg());
  } finally {
    if (response?.configurable) Object.defineProperty(globalThis, "Response", response);
  }
}

/** A pool of connections to the state database (enough for apply's parallel operations to share WAL flushes); closed by closePgConnections. */
export async function pgPool(target: PgTarget, { max = 8, asyncCommit = false }: { max?: number; asyncCommit?: boolean } = {}): Promise<pg.Pool> {
  const pool = new (loadPg()).Pool({
    connectionString: target.url, max, connectionTimeoutMillis: 10_000, application_name: "bootplan",
    // For statements whose loss in a database crash costs nothing but a warning (an operation's start).
    ...(asyncCommit ? { options: "-c synchronous_commit=off" } : {}),
  });
  // An idle connection the server drops must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  open.add(pool);
  const end = pool.end.bind(pool);
  pool.end = (async () => {
    open.delete(pool);
    if (!pool.ended) await end();
  }) as typeof pool.end;
  return pool;
}

/** One dedicated connection: the lock's (an advisory lock belongs to a session), or one lookup's. */
export async function pgClient(target: PgTarget, name = "bootplan lock"): Promise<pg.Client> {
  const client = new (loadPg()).Client({ connectionString: target.url, connectionTimeoutMillis: 10_000, application_name: name });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw pgError(target, "connecting", err);
  }
  client.once("end", whileOpen({ end: () => client.end().catch(() => undefined) }));
  return client;
}

/** Has closePgConnections end `closer` too (a prefetch's worker); returns what forgets it once it ended by itself. */
export function whileOpen(closer: { end(): Promise<void> }): () => void {
  open.add(closer);
  return () => void open.delete(closer);
}

/** Closes every connection this process opened, so the CLI can exit. */
export async function closePgConnections(): Promise<void> {
  await Promise.all([...open].map((c) => c.end().catch(() => undefined)));
  open.clear();
}
