/** The throwaway PostgreSQL 15 cluster the tests start (shared with the benchmark: bench/postgres.js). */
export { postgresUnavailable, startPostgres, type TestPostgres } from "../../bench/postgres.js";
