import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../../../src/errors.js";
import { FileStateStore } from "../../../src/state/file-store.js";
import type { ResourceRecord } from "../../../src/state/types.js";
import { buildStateModules, runNode, tempDir } from "./helpers.js";

const rec = (name: string): ResourceRecord => ({ kind: "system", id: name, outputs: { hostname: `${name}.lab.example` }, dependsOn: [] });

let mods: ReturnType<typeof buildStateModules>;
beforeAll(() => (mods = buildStateModules()));
afterAll(() => mods.cleanup());

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, "state.json");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs an apply in a child process that dies (by `ending`) without committing. */
async function crashingApply(steps: string, ending: string): Promise<void> {
  const result = await runNode(`
    const { FileStateStore } = await import(${JSON.stringify(mods.stateUrl + "file-store.js")});
    const rec = (n) => ({ kind: "system", id: n, outputs: { hostname: n + ".lab.example" }, dependsOn: [] });
    const w = new FileStateStore(${JSON.stringify(file)}, "lab").writer();
    ${steps}
    ${ending}
    console.error("still alive");
  `);
  expect(result.stderr).toBe("");
}

function committedState(): void {
  const w = new FileStateStore(file, "lab").writer();
  w.record("system.old", rec("old"));
  w.record("system.gone", rec("gone"));
  w.commit();
}

describe("StateWriter journal", () => {
  it("StateWriter journal: an apply killed by SIGKILL loses no completed operation, and its unfinished ones show as pending", async () => {
    committedState();
    await crashingApply(
      `w.begin("system.web01", "create"); w.record("system.web01", rec("web01"));
       w.begin("system.gone", "delete"); w.remove("system.gone");
       w.begin("system.web02", "create");`,
      `process.kill(process.pid, "SIGKILL"); await new Promise((r) => setTimeout(r, 5000));`,
    );
    const doc = new FileStateStore(file, "lab").read();
    expect(Object.keys(doc.resources).sort()).toEqual(["system.old", "system.web01"]);
    expect(doc.pending).toEqual([{ address: "system.web02", action: "create", startedAt: expect.any(String) }]);
    expect(doc.serial).toBe(4);
    expect(fs.existsSync(`${file}.journal`)).toBe(true);
  });

  it("StateWriter journal: the next apply continues an interrupted one and its commit settles both", async () => {
    committedState();
    const lineage = new FileStateStore(file, "lab").read().lineage;
    await crashingApply(`w.begin("system.web01", "create"); w.record("system.web01", rec("web01")); w.begin("system.web02", "create");`, "process.exit(3);");
    const store = new FileStateStore(file, "lab");
    const w = store.writer();
    w.record("system.web02", rec("web02"));
    const doc = w.commit();
    expect(doc).toMatchObject({ lineage, serial: 4, pending: [] });
    expect(Object.keys(store.read().resources).sort()).toEqual(["system.gone", "system.old", "system.web01", "system.web02"]);
    expect(fs.existsSync(`${file}.journal`)).toBe(false);
  });

  it("StateWriter journal: a crash during the very first apply keeps the journal's lineage once there is no state file", async () => {
    await crashingApply(`w.record("system.web01", rec("web01"));`, "process.exit(1);");
    const store = new FileStateStore(file, "lab");
    const first = store.read();
    expect(store.read().lineage).toBe(first.lineage);
    expect(Object.keys(first.resources)).toEqual(["system.web01"]);
    const doc = store.writer().commit();
    expect(doc.lineage).toBe(first.lineage);
    expect(new FileStateStore(file, "lab").read()).toMatchObject({ lineage: first.lineage, serial: 1 });
  });

  it("StateWriter commit clears pending for completed operations and keeps it for unfinished ones", () => {
    const w = new FileStateStore(file, "lab").writer();
    w.begin("system.web01", "create");
    w.begin("system.web02", "create");
    expect(w.current().pending.map((p) => p.address)).toEqual(["system.web01", "system.web02"]);
    w.record("system.web01", rec("web01"));
    const doc = w.commit();
    expect(doc.pending.map((p) => p.address)).toEqual(["system.web02"]);
    expect(new FileStateStore(file, "lab").read().pending.map((p) => p.address)).toEqual(["system.web02"]);
  });

  it("StateWriter journal: a torn last line (a crash mid-write) is ignored, and the next apply appends cleanly after it", async () => {
    committedState();
    await crashingApply(`w.record("system.web01", rec("web01"));`, "process.exit(1);");
    fs.appendFileSync(`${file}.journal`, '{"op":"record","address":"system.web02","rec":{"kind":"sys');
    const store = new FileStateStore(file, "lab");
    expect(Object.keys(store.read().resources).sort()).toEqual(["system.gone", "system.old", "system.web01"]);
    const w = store.writer();
    w.remove("system.gone");
    // Re-read before commit: the new event must parse as its own line, not glued to the torn one.
    expect(Object.keys(store.read().resources).sort()).toEqual(["system.old", "system.web01"]);
    expect(w.commit().serial).toBe(4);
  });

  it("StateWriter journal: damage before the last line is reported as state.journal-corrupt with its line", async () => {
    committedState();
    await crashingApply(`w.record("system.web01", rec("web01")); w.record("system.web02", rec("web02"));`, "process.exit(1);");
    const lines = fs.readFileSync(`${file}.journal`, "utf8").split("\n");
    lines[1] = "garbage";
    fs.writeFileSync(`${file}.journal`, lines.join("\n"));
    const err = (() => {
      try {
        new FileStateStore(file, "lab").read();
      } catch (e) {
        return e as StateError;
      }
    })();
    expect(err).toBeInstanceOf(StateError);
    expect(err!.code).toBe("state.journal-corrupt");
    expect(err!.message).toContain(`${file}.journal:2`);
  });

  it("StateWriter journal from another lineage is refused with a clear error", async () => {
    committedState();
    await crashingApply(`w.record("system.web01", rec("web01"));`, "process.exit(1);");
    const journal = fs.readFileSync(`${file}.journal`);
    // Another state (a different lineage) now sits at the same path.
    fs.rmSync(`${file}.journal`);
    fs.rmSync(file);
    committedState();
    fs.writeFileSync(`${file}.journal`, journal);
    try {
      new FileStateStore(file, "lab").read();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StateError);
      expect((e as StateError).code).toBe("state.journal-mismatch");
      expect((e as StateError).message).toMatch(/belongs to state lineage [0-9a-f-]+, but .* has lineage/);
    }
  });

  it("StateWriter journal left by a crash between writing the state and deleting the journal is not applied twice", () => {
    committedState();
    const w = new FileStateStore(file, "lab").writer();
    w.record("system.web01", rec("web01"));
    w.remove("system.old");
    const leftover = fs.readFileSync(`${file}.journal`);
    w.commit();
    fs.writeFileSync(`${file}.journal`, leftover);
    const store = new FileStateStore(file, "lab");
    expect(store.read().serial).toBe(4);
    const w2 = store.writer();
    w2.record("system.web03", rec("web03"));
    expect(w2.commit().serial).toBe(5);
    expect(Object.keys(store.read().resources).sort()).toEqual(["system.gone", "system.web01", "system.web03"]);
  });
});
