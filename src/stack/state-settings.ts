/** The `state:` settings of a stack resolved into the model: backend, path, and for PostgreSQL where its URL comes from. */
import { resolve } from "node:path";
import type { SecretSource, StateSettings } from "../model/stack.js";

/** Default schema of the PostgreSQL backend's tables. */
export const DEFAULT_PG_SCHEMA = "bootplan";

/** Resolves raw `state:` settings (the schema has checked their shape); `path` is the already-resolved state file. */
export function stateSettings(dir: string, raw: { backend?: "file" | "postgres"; url?: SecretSource; schema?: string } | undefined, path: string): StateSettings {
  // A file-backed stack may name its database too: `state migrate` copies the state there.
  if (!raw?.url) return { backend: raw?.backend ?? "file", path };
  const url = "file" in raw.url ? { file: resolve(dir, raw.url.file) } : raw.url;
  return { backend: raw.backend ?? "file", path, url, schema: raw.schema ?? DEFAULT_PG_SCHEMA };
}
