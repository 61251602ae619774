import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonArrayParts } from "../../../src/util/json-parts.js";

describe("json parts: a large JSON document written in parts", () => {
  it("gives the text JSON.stringify gives, whatever the items, however many parts", () => {
    fc.assert(fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.jsonValue(), (items, walked) => {
      const doc = { id: "abc", files: items, walked };
      const text = Buffer.concat([...jsonArrayParts(`{"id":"abc","files":`, items, `,"walked":${JSON.stringify(walked)}}`)]).toString("utf8");
      expect(text).toBe(JSON.stringify(doc));
    }), { numRuns: 500 });
    // A 40 MB list goes out in parts of about a megabyte.
    const files = Array.from({ length: 200_000 }, (_, i) => [".bootplan/root", "stat", `http/answers/host-${i}.cfg`, `tftp/grub/grub.cfg-${i}`, "é".repeat(i % 100)]);
    const parts = [...jsonArrayParts("", files, "")];
    expect(parts.length).toBeGreaterThan(20);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(3 << 20);
    expect(JSON.parse(Buffer.concat(parts).toString("utf8"))).toEqual(files);
  });
});
