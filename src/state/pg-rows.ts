/** A resource record as one row of the PostgreSQL `resources` table holds it, both ways. */
import { sha256Hex } from "../util/hash.js";
import type { ResourceRecord } from "./types.js";

/** The columns fromRow reads, for a SELECT list, each prefixed with `table.` when one is named. */
export function resourceColumns(table?: string): string {
  return ["address", "kind", "id", "outputs", "file_hashes", "depends_on", "extra"].map((c) => (table ? `${table}.${c}` : c)).join(", ");
}

/** A resource as one row holds it. */
export interface ResourceRow {
  address: string;
  kind: string;
  id: string;
  outputs: string;
  file_hashes: string | null;
  depends_on: string;
  extra: string | null;
}

/** The columns of a record: outputs as exact JSON text, with the file hashes apart. */
export function toRow(rec: ResourceRecord): { outputs: string; fileHashes: string | null; dependsOn: string; extra: string | null; node: string | null; digest: string } {
  const { fileHashes, ...rest } = rec.outputs as Record<string, unknown> & { fileHashes?: unknown };
  const { kind: _k, id: _i, outputs: _o, dependsOn: _d, ...others } = rec;
  const outputs = JSON.stringify(rest);
  const node = rec.kind === "cm" ? ((rest.node as { name?: unknown } | undefined)?.name ?? null) : null;
  return {
    outputs, fileHashes: fileHashes === undefined ? null : JSON.stringify(fileHashes), dependsOn: JSON.stringify(rec.dependsOn),
    extra: Object.keys(others).length ? JSON.stringify(others) : null,
    node: typeof node === "string" ? node : null, digest: sha256Hex(outputs),
  };
}

/**
 * A row as the JSON text of its record: the file hashes rejoin the outputs as their last key, where
 * providers put them, and the record's other fields follow. The state read joins these texts into
 * runs and parses a run at a time (see pg-snapshot.ts).
 */
export function rowJson(r: ResourceRow): string {
  const o = r.outputs;
  const outputs = r.file_hashes === null ? o : `${o.slice(0, -1)}${o.length > 2 ? "," : ""}"fileHashes":${r.file_hashes}}`;
  const extra = r.extra === null || r.extra.length <= 2 ? "" : `,${r.extra.slice(1, -1)}`;
  return `{"kind":${JSON.stringify(r.kind)},"id":${JSON.stringify(r.id)},"outputs":${outputs},"dependsOn":${r.depends_on}${extra}}`;
}

/** A row back into a record. */
export function fromRow(r: ResourceRow): ResourceRecord {
  return JSON.parse(rowJson(r)) as ResourceRecord;
}
