import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { FileStateStore } from "../../../src/state/file-store.js";
import type { ResourceRecord } from "../../../src/state/types.js";
import { buildStateModules, startNode, tempDir, catchStateError } from "./helpers.js";

const rec = (name: string, extra: Record<string, unknown> = {}): ResourceRecord => ({
  kind: "system",
  id: name,
  outputs: { hostname: `${name}.lab.example`, ...extra },
  dependsOn: ["profile.web"],
});


let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, "nested", "state.json");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("FileStateStore read", () => {
  it("FileStateStore read of a missing state is an empty document with a new lineage, and writes nothing", () => {
    const a = new FileStateStore(file, "lab").read();
    const b = new FileStateStore(file, "lab").read();
    expect(a).toMatchObject({ version: 1, serial: 0, stack: "lab", resources: {}, pending: [] });
    expect(a.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.lineage).not.toBe(a.lineage);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it("FileStateStore read rejects a schema-invalid state as state.corrupt, one line naming the file and the cause", () => {
    const store = new FileStateStore(file, "lab");
    const w = store.writer();
    w.record("system.web01", rec("web01"));
    w.commit();
    const w2 = store.writer();
    w2.record("system.web02", rec("web02"));
    w2.commit();
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    delete doc.resources["system.web01"].kind;
    fs.writeFileSync(file, JSON.stringify(doc));
    const err = catchStateError(() => store.read());
    expect(err.code).toBe("state.corrupt");
    expect(err.message).toContain(file);
    expect(err.message).toContain("/resources/system.web01");
    expect(err.message).toContain("kind");
    expect(err.message).toContain(`${file}.backup`);
    expect(err.message).not.toContain("\n");
  });

  it("FileStateStore read rejects a state that is not JSON as state.corrupt", () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"version": 1, "lineage": ');
    const err = catchStateError(() => new FileStateStore(file, "lab").read());
    expect(err.code).toBe("state.corrupt");
    expect(err.message).toMatch(new RegExp(`^state file ${file} is corrupt: not valid JSON`));
    expect(err.message).not.toContain("\n");
  });

  it("FileStateStore read refuses the state of another stack", () => {
    const w = new FileStateStore(file, "lab").writer();
    w.record("system.web01", rec("web01"));
    w.commit();
    const err = catchStateError(() => new FileStateStore(file, "prod").read());
    expect(err.code).toBe("state.wrong-stack");
    expect(err.message).toContain('stack "lab", not "prod"');
  });

  it("FileStateStore read refuses a state written in a newer format version", () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ version: 2, stack: "lab" }));
    expect(catchStateError(() => new FileStateStore(file, "lab").read()).code).toBe("state.unsupported-version");
  });
});

describe("FileStateStore commit", () => {
  it("FileStateStore commit increments the serial once per change and keeps the lineage", () => {
    const store = new FileStateStore(file, "lab");
    const w1 = store.writer();
    const lineage = w1.current().lineage;
    w1.begin("system.web01", "create");
    w1.record("system.web01", rec("web01"));
    w1.record("system.web02", rec("web02"));
    expect(w1.commit().serial).toBe(2);

    const w2 = store.writer();
    w2.remove("system.web02");
    w2.commit();
    const doc = store.read();
    expect(doc.serial).toBe(3);
    expect(doc.lineage).toBe(lineage);
    expect(Object.keys(doc.resources)).toEqual(["system.web01"]);
    expect(doc.pending).toEqual([]);
  });

  it("FileStateStore commit is atomic and keeps the previous version", () => {
    const store = new FileStateStore(file, "lab");
    const w1 = store.writer();
    w1.record("system.web01", rec("web01"));
    w1.commit();
    const first = fs.readFileSync(file, "utf8");
    expect(fs.existsSync(`${file}.backup`)).toBe(false);

    const w2 = store.writer();
    w2.record("system.web02", rec("web02"));
    w2.commit();
    expect(fs.readFileSync(`${file}.backup`, "utf8")).toBe(first);
    expect(store.read().serial).toBe(2);
    // Nothing left behind: no temp files, no journal.
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(["state.json", "state.json.backup"]);
    expect(fs.readFileSync(file, "utf8").endsWith("}\n")).toBe(true);
  });

  it("FileStateStore creates a private directory and private files (state holds infrastructure details)", () => {
    const w = new FileStateStore(file, "lab").writer();
    w.record("system.web01", rec("web01"));
    w.commit();
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("FileStateStore commit of an apply that changed nothing leaves no files", () => {
    const doc = new FileStateStore(file, "lab").writer().commit();
    expect(doc.serial).toBe(0);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it("FileStateStore writer refuses to record a resource the schema would reject, so the state never becomes unreadable", () => {
    const w = new FileStateStore(file, "lab").writer();
    expect(() => w.record("system.web01", { kind: "system", id: "web01", outputs: [] as never, dependsOn: [] })).toThrow(/outputs/);
    expect(() => w.record("no address", rec("x"))).toThrow(/invalid resource address/);
    w.commit();
    expect(new FileStateStore(file, "lab").read().resources).toEqual({});
  });
});

describe("FileStateStore atomic replace seen by another process", () => {
  let mods: ReturnType<typeof buildStateModules>;
  beforeAll(() => (mods = buildStateModules()));
  afterAll(() => mods.cleanup());

  it("FileStateStore readers never see a missing or partial state while another process commits", async () => {
    const store = new FileStateStore(file, "lab");
    const w = store.writer();
    w.record("system.seed", rec("seed", { blob: "x".repeat(200_000) }));
    w.commit();
    const child = startNode(`
      const { FileStateStore } = await import(${JSON.stringify(mods.stateUrl + "file-store.js")});
      const store = new FileStateStore(${JSON.stringify(file)}, "lab");
      for (let i = 0; i < 40; i++) {
        const w = store.writer();
        w.record("system.n" + i, { kind: "system", id: "n" + i, outputs: { blob: "y".repeat(100000) }, dependsOn: [] });
        w.commit();
      }
    `);
    let finished = false;
    void child.done.then(() => (finished = true));
    let reads = 0;
    while (!finished) {
      // Read the file directly: a missing or torn state would throw here.
      const doc = JSON.parse(fs.readFileSync(file, "utf8"));
      expect(doc.lineage).toBe(w.current().lineage);
      expect(fs.existsSync(`${file}.backup`) || doc.serial === 1).toBe(true);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    const result = await child.done;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(store.read().serial).toBe(41);
  });
});
