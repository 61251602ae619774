import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactState, readPart, readWhole, recordIndex, scanState, spliceState, type StateLayout, type WrittenState } from "../../../src/state/partial-file.js";

type Doc = { version: number; lineage: string; serial: number; stack: string; resources: Record<string, unknown>; pending: unknown[] };

// Records as the state holds them: objects of JSON values, keys and strings with quotes, backslashes,
// braces and non-ASCII text, so the scanner meets every way a string can hide structure.
const text = fc.string({ unit: fc.constantFrom("a", "Z", "0", ".", '"', "\\", "{", "}", "[", "]", ",", ":", "é", "\u2028", "\n", "𝄞") , maxLength: 8 });
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(text, tie("v"), { maxKeys: 3 })),
})).v;
const record = fc.record({ kind: fc.constantFrom("system", "cm"), outputs: fc.dictionary(text, value, { maxKeys: 4 }), dependsOn: fc.array(text, { maxLength: 2 }) });
// Addresses are names (no escapes in their JSON), non-ASCII included.
const name = fc.string({ unit: fc.constantFrom("a", "Z", "0", ".", "-", "é", "𝄞"), maxLength: 8 });
const address = fc.tuple(fc.constantFrom("system", "cm", "profile"), name).map(([k, n]) => `${k}.${n}`);

/** One step of an apply, as the journal's events change a document (state/journal.ts applyEvent). */
type Op = { op: "record"; address: string; rec: unknown } | { op: "remove"; address: string };
function applyOp(doc: Doc, op: Op): void {
  if (op.op === "record") doc.resources[op.address] = JSON.parse(JSON.stringify(op.rec));
  else delete doc.resources[op.address];
  doc.serial++;
}

/** The bytes a writer gives, checked against the layout it says they have: the one scanState finds in them. */
function writtenBytes(w: WrittenState): Buffer {
  const bytes = Buffer.concat([...w.parts]);
  const said = w.layout();
  const scanned = scanState(bytes);
  if (said === undefined) expect(scanned).toBeUndefined();
  else {
    const { read: _read, ...found } = scanned as StateLayout;
    expect(said).toEqual(found);
  }
  return bytes;
}

describe("partial state file: read some records, write the rest back as it was", () => {
  it("writes the bytes JSON.stringify of the whole document gives, whatever the apply records and removes", () => {
    const scenario = fc.record({
      records: fc.uniqueArray(fc.tuple(address, record), { selector: ([a]) => a, minLength: 1, maxLength: 12 }),
      picks: fc.array(fc.nat(), { maxLength: 6 }),
      ops: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.option(address), record), { maxLength: 6 }),
    });
    fc.assert(fc.property(scenario, ({ records, picks, ops }) => {
      // As a state file holds them: through JSON once (-0 reads back as 0).
      const whole = JSON.parse(JSON.stringify({ version: 1, lineage: "l", serial: 7, stack: "lab", resources: Object.fromEntries(records), pending: [] })) as Doc;
      const layout = scanState(Buffer.from(JSON.stringify(whole)))!;
      expect(layout).toBeDefined();
      // Read whole, record by record, it is the document JSON.parse gives, in the same key order.
      const read = readWhole(layout) as unknown as Doc;
      expect(read).toEqual(whole);
      expect(Object.keys(read.resources)).toEqual(Object.keys(whole.resources));
      const wanted = new Set(picks.map((p) => records[p % records.length][0]));
      const part = readPart(layout, wanted) as unknown as Doc;
      expect(part.resources).toEqual(Object.fromEntries(Object.entries(whole.resources).filter(([a]) => wanted.has(a))));
      // An apply touches only what it read, plus records it creates.
      const touched = new Set<string>(), moved = new Set<string>();
      const readable = [...wanted];
      for (const [remove, n, fresh, rec] of ops) {
        const target = fresh ?? readable[n % Math.max(1, readable.length)];
        if (target === undefined || (fresh !== null && recordIndex(layout, fresh) !== undefined && !wanted.has(fresh))) continue;
        const op: Op = remove ? { op: "remove", address: target } : { op: "record", address: target, rec };
        applyOp(whole, op);
        applyOp(part, op);
        touched.add(target);
        if (remove) moved.add(target);
      }
      const out = writtenBytes(spliceState(layout, part, touched, moved)).toString("utf8");
      expect(out).toBe(JSON.stringify(whole) + "\n");
    }), { numRuns: 2000 });
  });

  it("writes a whole document in chunks as the bytes of JSON.stringify, any keys and records, however many chunks", () => {
    // Keys with escapes too: a document written whole may hold any key, unlike one written around read bytes.
    const anyKey = fc.oneof(address, text);
    fc.assert(fc.property(fc.array(fc.tuple(anyKey, record), { maxLength: 12 }), fc.boolean(), (records, undef) => {
      const resources: Record<string, unknown> = Object.fromEntries(records);
      // A value without JSON is left out, as JSON.stringify leaves it out.
      if (undef) resources["system.gone"] = undefined;
      const doc = { version: 1, lineage: "l", serial: 3, resources, pending: [] };
      expect(writtenBytes(compactState(doc)).toString("utf8")).toBe(JSON.stringify(doc) + "\n");
    }), { numRuns: 1000 });
    // A large document goes out in parts of about a megabyte, never whole.
    const resources = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`system.s${i}`, { kind: "system", outputs: { text: "é".repeat(1000 + i) } }]));
    const doc = { version: 1, serial: 1, resources };
    const chunks = [...compactState(doc).parts];
    expect(Buffer.concat(chunks).toString("utf8")).toBe(JSON.stringify(doc) + "\n");
    expect(chunks.length).toBeGreaterThan(5);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(3 << 20);
  });

  it("leaves any other form to a whole read: indented, records that are not objects, keys with escapes", () => {
    const doc = { version: 1, serial: 1, resources: { "system.a": { kind: "system" } } };
    expect(scanState(Buffer.from(JSON.stringify(doc, null, 2)))).toBeUndefined();
    expect(scanState(Buffer.from(JSON.stringify({ ...doc, resources: { "system.a": 1 } })))).toBeUndefined();
    expect(scanState(Buffer.from(JSON.stringify({ ...doc, resources: { 'system."a"': { kind: "system" } } })))).toBeUndefined();
    const layout = scanState(Buffer.from(JSON.stringify({ ...doc, resources: { "system.b": {}, "system.a": { kind: "system" } } })))!;
    expect([recordIndex(layout, "system.a"), recordIndex(layout, "system.b"), recordIndex(layout, "system.c")]).toEqual([1, 0, undefined]);
  });

  it("reports a record cut short as a syntax error", () => {
    expect(() => scanState(Buffer.from('{"version":1,"resources":{"system.a":{"kind":"sys'))).toThrow(SyntaxError);
  });
});
