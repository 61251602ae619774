/** Types of the throwaway PostgreSQL cluster the tests and the benchmark start. */
export interface TestPostgres {
  /** postgres://bootplan@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** The postmaster's PID. */
  pid: number;
  /** Stops the server by PID and removes its directory. */
  stop(): Promise<void>;
}
export const PG_BIN: string;
/** Why a cluster cannot start here, or undefined when it can. */
export function postgresUnavailable(): string | undefined;
/** initdb + postgres on a free loopback port (fsync off unless asked). */
export function startPostgres(opts?: { fsync?: boolean }): Promise<TestPostgres>;
