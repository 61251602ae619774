/**
 * The state digest `state migrate` proves its copy with: hashed as the canonical JSON is produced, it
 * must equal what the whole text would hash to, or a copy made by an older bootplan would not match.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stateDigest } from "../../../src/state/digest.js";
import type { StateDocument } from "../../../src/state/types.js";

/** The digest as it was first defined: JSON.stringify of a copy whose keys were inserted sorted at every level. */
function wholeTextDigest(doc: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return "sha256:" + createHash("sha256").update(JSON.stringify(canonical(doc))).digest("hex");
}

const asDoc = (v: unknown): StateDocument => v as StateDocument;

describe("the state digest", () => {
  it("equals the hash of the whole canonical text for any JSON value", () => {
    // Keys that JSON.stringify orders specially (array indexes, __proto__) are drawn often.
    const key = fc.oneof(fc.string(), fc.constantFrom("0", "1", "10", "9", "01", "4294967294", "4294967295", "-1", "__proto__", "a", "b"));
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), tie("object"), tie("array"), fc.constant(undefined)),
      object: fc.dictionary(key, tie("any"), { maxKeys: 6 }),
      array: fc.array(tie("any"), { maxLength: 4 }),
    }));
    fc.assert(fc.property(value.object, (doc) => {
      expect(stateDigest(asDoc(doc))).toBe(wholeTextDigest(doc));
    }), { numRuns: 2000 });
  });

  it("is the same for a document far larger than one chunk, and changes with one value in it", () => {
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) resources[`system.web${i}`] = { kind: "system", outputs: { hostname: `web${i}`, ips: [`10.0.${i >> 8}.${i & 255}`] } };
    const doc = { version: 1, lineage: "l", serial: 3, resources };
    const digest = stateDigest(asDoc(doc));
    expect(digest).toBe(wholeTextDigest(doc));
    (resources["system.web19999"] as { outputs: { hostname: string } }).outputs.hostname = "other";
    expect(stateDigest(asDoc(doc))).not.toBe(digest);
  });
});
