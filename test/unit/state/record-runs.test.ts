import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRecordRun, recordRuns, RUN_AT_LEAST, RUN_AT_MOST } from "../../../src/state/record-runs.js";

const entry = (address: string, rec: unknown): string => `${JSON.stringify(address)}:${JSON.stringify(rec)}`;

async function collect(runs: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const run of runs) out.push(run);
  return out;
}

describe("record runs: a state's records parsed a run at a time", () => {
  it("gives the records one parse of the whole gives, in its key order, a record met again replacing the first", () => {
    const record = fc.record({ kind: fc.constantFrom("system", "cm"), outputs: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 4 }) });
    const records = fc.array(fc.tuple(fc.constantFrom("system.a", "system.b", "cm.x.a", "profile.p"), record), { maxLength: 10 });
    fc.assert(fc.property(records, fc.nat({ max: 4 }), (recs, cut) => {
      const texts = recs.map(([a, r]) => entry(a, r));
      const whole = JSON.parse(`{${texts.join(",")}}`) as Record<string, unknown>;
      // Split anywhere between records: each run parsed on its own, in order.
      const resources: Record<string, unknown> = {};
      for (const run of [texts.slice(0, cut), texts.slice(cut)]) if (run.length) parseRecordRun(run.join(","), resources);
      expect(resources).toEqual(whole);
      expect(Object.keys(resources)).toEqual(Object.keys(whole));
    }), { numRuns: 500 });
  });

  it("groups records into runs long enough for V8 to make their objects old, short enough to stay young text", async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => entry(`system.s${i}`, { kind: "system", outputs: { note: "x".repeat(100 + ((i * 37) % 900)) } }));
    // One record longer than a whole run goes alone.
    texts.splice(1500, 0, entry("system.big", { kind: "system", outputs: { note: "y".repeat(RUN_AT_MOST * 2) } }));
    const runs = await collect(recordRuns(texts));
    expect(runs.join(",")).toBe(texts.join(","));
    for (const [i, run] of runs.entries()) {
      if (run.includes('"system.big"')) expect(run).toBe(texts[1500]);
      else {
        expect(run.length).toBeLessThanOrEqual(RUN_AT_MOST);
        // Only the last run, and the one cut short by the long record, may be short.
        if (i < runs.length - 1 && !runs[i + 1].includes('"system.big"')) expect(run.length).toBeGreaterThanOrEqual(RUN_AT_LEAST - 1000);
      }
    }
  });

  it("groups records that arrive (a cursor's rows) as it groups a list, and ends the read whether taken to the end or not", async () => {
    const texts = Array.from({ length: 2500 }, (_, i) => entry(`system.s${i}`, { kind: "system", outputs: { note: "x".repeat(50 + ((i * 53) % 400)) } }));
    async function* arriving(): AsyncGenerator<string> {
      for (const t of texts) yield await Promise.resolve(t);
    }
    let ended = 0;
    const end = async (): Promise<void> => void ended++;
    const runs: string[] = [];
    for await (const run of recordRuns(arriving(), end)) runs.push(run);
    expect(runs).toEqual(await collect(recordRuns(texts)));
    expect(runs.length).toBeGreaterThan(2);
    expect(ended).toBe(1);
    // Given up after the first run (a consumer that failed): the snapshot's transaction still ends.
    for await (const _ of recordRuns(arriving(), end)) break;
    expect(ended).toBe(2);
  });
});
