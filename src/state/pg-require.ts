/**
 * node-postgres's module, required on first use rather than imported: pg is CommonJS, and wrapping it
 * as an ES module costs `bootplan enc` another ~4 ms. The enc bundle (scripts/bundle-enc.mjs) puts a
 * copy of pg built into the bundle in place of this module.
 */
import { createRequire } from "node:module";
import type pg from "pg";

/** Requires node-postgres from bootplan's own dependencies. */
export const requirePg = (): typeof pg => createRequire(import.meta.url)("pg") as typeof pg;
