/** A state's content digest: the same for the same state whichever backend holds it (key order aside). */
import { createHash } from "node:crypto";
import type { StateDocument } from "./types.js";

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** sha256 over the canonical JSON (keys sorted at every level) of the whole document. */
export function stateDigest(doc: StateDocument): string {
  return "sha256:" + createHash("sha256").update(JSON.stringify(canonical(doc))).digest("hex");
}
