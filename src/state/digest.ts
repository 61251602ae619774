/**
 * A state's content digest: the same for the same state whichever backend holds it (key order aside).
 * It is the sha256 of the document's canonical JSON (keys sorted at every level), hashed as that text
 * is produced, in chunks: a 100,000-system state (275 MB of JSON) is never copied or held as one
 * string, so `state migrate` does not need three times the state's memory to check its copy.
 */
import { createHash, type Hash } from "node:crypto";
import type { StateDocument } from "./types.js";

/** How much canonical JSON is gathered before it is hashed. */
const CHUNK = 1 << 20;

/** An array index as an object key: JSON.stringify puts these first, in numeric order. */
const isIndexKey = (k: string): boolean => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/**
 * The key order JSON.stringify gives an object whose keys were inserted sorted: index keys ascending,
 * then the rest sorted. `__proto__` is left out: assigned to a plain object, it sets the prototype.
 */
function canonicalKeys(o: object): string[] {
  const keys = Object.keys(o).sort();
  if (!keys.some((k) => k.charCodeAt(0) <= 0x39 && isIndexKey(k))) return keys.filter((k) => k !== "__proto__");
  const index = keys.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...index, ...keys.filter((k) => !isIndexKey(k) && k !== "__proto__")];
}

/** Writes canonical JSON into a hash in chunks. */
class CanonicalJsonHash {
  private text = "";
  constructor(private readonly hash: Hash) {}

  value(v: unknown): void {
    if (v === null || typeof v !== "object") return this.put(JSON.stringify(v) ?? "null");
    if (Array.isArray(v)) {
      this.put("[");
      v.forEach((item, i) => {
        if (i) this.put(",");
        this.value(typeof item === "function" || typeof item === "symbol" ? null : item);
      });
      return this.put("]");
    }
    this.put("{");
    let first = true;
    for (const k of canonicalKeys(v)) {
      const item = (v as Record<string, unknown>)[k];
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      this.put(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
      first = false;
      this.value(item);
    }
    this.put("}");
  }

  /** The digest of everything written. */
  digest(): string {
    this.hash.update(this.text);
    this.text = "";
    return this.hash.digest("hex");
  }

  private put(s: string): void {
    this.text += s;
    if (this.text.length >= CHUNK) {
      this.hash.update(this.text);
      this.text = "";
    }
  }
}

/** sha256 over the canonical JSON (keys sorted at every level) of the whole document. */
export function stateDigest(doc: StateDocument): string {
  const out = new CanonicalJsonHash(createHash("sha256"));
  out.value(doc);
  return "sha256:" + out.digest();
}
