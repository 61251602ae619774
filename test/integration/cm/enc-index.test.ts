/**
 * The ENC index `bootplan enc` answers from: written beside the state on every commit, and trusted
 * only while the state file is the one it was made from. A hand-edited state or an index left from an
 * older commit must never be served.
 */
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, editStackFile, runBin, tempStack } from "../../helpers/stack.js";

let dir: string;
const state = () => join(dir, ".bootplan/state.json");
const index = () => `${state()}.enc`;
const enc = (node: string) => runBin(["enc", node, dir]);

beforeAll(() => {
  dir = tempStack();
  const r = runBin(["apply", dir, "--auto-approve"]);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);
afterAll(() => cleanup(dir));

describe("the ENC index", () => {
  it("is written with the state and answers exactly what the state records", () => {
    expect(readdirSync(index())).toHaveLength(64);
    const fast = enc("web01.lab.example");
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stdout).toContain("port: 9090");
    renameSync(index(), `${index()}.away`);
    try {
      const slow = enc("web01.lab.example");
      expect(slow.stdout).toBe(fast.stdout);
    } finally {
      renameSync(`${index()}.away`, index());
    }
    expect(enc("nobody.lab.example").code).toBe(1);
  });

  it("is not trusted once the state file was edited by hand", () => {
    const text = readFileSync(state(), "utf8");
    writeFileSync(state(), text.replace(/"port": 9090/, '"port": 9191'));
    try {
      expect(enc("web01.lab.example").stdout).toContain("port: 9191");
    } finally {
      writeFileSync(state(), text);
    }
  });

  it("left from an older commit is not served after the next one", () => {
    const old = join(dir, "old-index");
    cpSync(index(), old, { recursive: true });
    editStackFile(dir, "systems.yaml", "{port: 9090}", "{port: 9292}");
    const r = runBin(["apply", dir, "--auto-approve"]);
    expect(r.code, r.stderr).toBe(0);
    rmSync(index(), { recursive: true });
    renameSync(old, index());
    expect(enc("web01.lab.example").stdout).toContain("port: 9292");
  }, 60_000);
});
