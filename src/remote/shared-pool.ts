/** The one SSH pool of a bootplan process, so providers called per resource share connections and limits. */
import { SshPool, type PoolOptions } from "./pool.js";

let pool: SshPool | undefined;
let options: PoolOptions = {};

/** Sets the limits of the shared pool (the CLI passes --ssh-concurrency); applies to the next pool created. */
export function configureSharedPool(opts: PoolOptions): void {
  options = { ...options, ...opts };
}

/** The process's shared pool, created on first use. */
export function sharedPool(): SshPool {
  pool ??= new SshPool(options);
  return pool;
}

/** Closes the shared pool's connections (the CLI calls this when a command ends). */
export async function closeSharedPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}
