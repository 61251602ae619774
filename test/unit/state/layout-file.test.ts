import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStateStore } from "../../../src/state/file-store.js";
import { layoutPathFor, loadLayout } from "../../../src/state/layout-file.js";
import { readWhole } from "../../../src/state/partial-file.js";
import type { ResourceRecord } from "../../../src/state/types.js";
import { tempDir } from "./helpers.js";

// More records than a state keeps indented: the compact form, which a layout is kept for.
const RECORDS = 1500;
const rec = (name: string, note = ""): ResourceRecord => ({ kind: "system", id: name, outputs: { hostname: `${name}.lab.example`, note }, dependsOn: [] });

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, "state.json");
  const w = new FileStateStore(file, "lab").writer();
  for (let i = 0; i < RECORDS; i++) w.record(`system.s${i}`, rec(`s${i}`));
  w.commit();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What a reader asking for `addresses` gets: their records, by a fresh store as a new process would. */
async function recordsFor(addresses: string[]): Promise<Record<string, unknown>> {
  return (await new FileStateStore(file, "lab").readFor(addresses)).resources;
}

describe("state layout file: read a few records of a large state without scanning it", () => {
  it("state layout is kept by every compact commit, whole or spliced, and reads give the records the file holds", async () => {
    expect(fs.existsSync(layoutPathFor(file))).toBe(true);
    expect(await recordsFor(["system.s7", "system.s1499", "system.none"])).toEqual({ "system.s7": rec("s7"), "system.s1499": rec("s1499") });
    // A saved plan's apply: reads two records through the layout, changes one, adds one, removes one.
    const store = new FileStateStore(file, "lab");
    await store.readFor(["system.s7", "system.s8", "system.s9"]);
    const w = store.writer();
    w.record("system.s7", rec("s7", "changed, and longer than it was"));
    w.record("system.new", rec("new"));
    w.remove("system.s9");
    w.commit();
    const whole = new FileStateStore(file, "lab").read();
    expect(fs.readFileSync(file, "utf8")).toBe(JSON.stringify(whole) + "\n");
    expect(Object.keys(whole.resources)).toHaveLength(RECORDS);
    // The layout written by the splice places every record, those after the changed one included.
    expect(await recordsFor(["system.s7", "system.s8", "system.s9", "system.s1499", "system.new"])).toEqual({
      "system.s7": rec("s7", "changed, and longer than it was"),
      "system.s8": rec("s8"),
      "system.s1499": rec("s1499"),
      "system.new": rec("new"),
    });
  });

  it("state layout kept for an earlier version of the file is never used: a hand edit moves the records", async () => {
    const text = fs.readFileSync(file, "utf8").replace('"hostname":"s1.lab.example"', '"hostname":"s1.lab.example","extra":"moves every later record"');
    const layout = fs.readFileSync(layoutPathFor(file));
    fs.writeFileSync(file, text);
    fs.writeFileSync(layoutPathFor(file), layout);
    expect(await recordsFor(["system.s1", "system.s1000"])).toEqual({
      "system.s1": { ...rec("s1"), outputs: { hostname: "s1.lab.example", extra: "moves every later record", note: "" } },
      "system.s1000": rec("s1000"),
    });
  });

  it("state layout that names the file but does not fit its bytes is ignored, and the file scanned", async () => {
    const kept = fs.readFileSync(layoutPathFor(file));
    const numbers = kept.indexOf(0x0a, kept.indexOf(0x0a) + 1) + 1;
    // Every record's span shifted by a byte: each read would start inside the record before it.
    const spans = new Float64Array(kept.buffer.slice(kept.byteOffset + numbers, kept.byteOffset + numbers + 16 * RECORDS));
    for (let i = 0; i < spans.length; i++) spans[i] += 1;
    Buffer.from(spans.buffer).copy(kept, numbers);
    fs.writeFileSync(layoutPathFor(file), kept);
    // Rewriting the layout file leaves the state file, and so its stamp, as they were.
    expect(await recordsFor(["system.s3", "system.s1200"])).toEqual({ "system.s3": rec("s3"), "system.s1200": rec("s1200") });
  });

  it("state layout serves a whole read: the document JSON.parse gives, over many reads and records larger than one", () => {
    // About 20 MB: several of readWhole's 8 MB reads, and one record over 8 MB on its own.
    const store = new FileStateStore(file, "lab");
    store.read();
    const w = store.writer();
    for (let i = 0; i < RECORDS; i += 3) w.record(`system.s${i}`, rec(`s${i}`, "é".repeat(3000 + i)));
    w.record("system.s5", rec("s5", "x".repeat(9 << 20)));
    w.commit();
    expect(fs.existsSync(layoutPathFor(file))).toBe(true);
    const read = new FileStateStore(file, "lab").read();
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as typeof read;
    expect(read).toEqual(parsed);
    expect(Object.keys(read.resources)).toEqual(Object.keys(parsed.resources));
    // The store falls back to parsing the text when the layout's records do not parse: this read must not need to.
    expect(readWhole(loadLayout(file)!)).toEqual(parsed);
  });

  it("state layout goes when the state becomes small enough to be kept indented", async () => {
    const store = new FileStateStore(file, "lab");
    store.read();
    const w = store.writer();
    for (let i = 0; i < RECORDS - 10; i++) w.remove(`system.s${i}`);
    w.commit();
    expect(fs.existsSync(layoutPathFor(file))).toBe(false);
    expect(fs.readFileSync(file, "utf8")).toContain('\n  "version": 1');
  });
});
