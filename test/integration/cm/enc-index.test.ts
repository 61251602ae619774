/**
 * The ENC index `bootplan enc` answers from: written beside the state on every commit, and trusted
 * only while the state file is the one it was made from. A hand-edited state or an index left from an
 * older commit must never be served.
 */
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickEncAnswer } from "../../../src/cli/enc-quick.js";
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

  it("answers through enc's quick path, which leaves the rest to the enc command", async () => {
    const call = (fqdn: string, cmSystem?: string) => quickEncAnswer({ fqdn, dir, opts: { cmSystem } }, {});
    expect(await call("web01.lab.example")).toBe(readFileSync(join(dir, ".bootplan/root/cm/puppet-prod/nodes/web01.lab.example.yaml"), "utf8"));
    // An unknown node or CM system: the enc command words the error from the state.
    expect(await call("nobody.lab.example")).toBeUndefined();
    expect(await call("web01.lab.example", "puppet-other")).toBeUndefined();
    expect(enc("nobody.lab.example").stderr).toBe(`Error: nobody.lab.example: not a node of puppet CM system puppet-prod in ${state()}\n`);
    const other = runBin(["enc", "web01.lab.example", dir, "--cm-system", "puppet-other"]);
    expect([other.code, other.stderr]).toEqual([1, expect.stringMatching(/^Error: puppet-other: no puppet CM system in /)]);
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
