/** appliesTo: name globs, profiles through inheritance, distros, and attribute expressions as requires: reads them. */
import { describe, expect, it } from "vitest";
import type { Distro, Profile, System } from "../../../src/model/stack.js";
import { checkSelector, compileSelector, selects } from "../../../src/plugins/selector.js";

const pos = { file: "t.yaml", line: 1, column: 1 };
const distro = { name: "debian-12-amd64", os: { family: "debian", release: "12" }, arch: "x86_64" } as Distro;
const profile = { name: "web", lineage: ["base-debian", "web"] } as Profile;
const system = (name: string, attributes: Record<string, unknown> = {}) => ({ name, attributes, source: pos }) as unknown as System;

function compiled(raw: unknown) {
  const problems: string[] = [];
  const sel = compileSelector(raw, "test", problems);
  expect(problems).toEqual([]);
  return sel;
}

describe("plugin selectors", () => {
  it("match system names by glob", () => {
    const sel = compiled({ names: ["rack2-*", "db0[1-3]"] });
    expect(["rack2-a", "rack2-b07", "db02", "db04", "rack1-a"].filter((n) => selects(sel, system(n), profile, distro))).toEqual(["rack2-a", "rack2-b07", "db02"]);
  });

  it("match a profile the system's profile inherits from, and distros by glob", () => {
    expect(selects(compiled({ profiles: ["base-debian"] }), system("a"), profile, distro)).toBe(true);
    expect(selects(compiled({ profiles: ["base-rocky"] }), system("a"), profile, distro)).toBe(false);
    expect(selects(compiled({ distros: ["debian-*"] }), system("a"), profile, distro)).toBe(true);
  });

  it("read attribute expressions the way requirement lists do, derived attributes included", () => {
    const sel = compiled({ attributes: { disks: { min: 2 }, osFamily: ["debian"] } });
    expect(selects(sel, system("a", { disks: 2 }), profile, distro)).toBe(true);
    expect(selects(sel, system("a", { disks: 1 }), profile, distro)).toBe(false);
    expect(selects(sel, system("a"), profile, distro)).toBe(false);
    expect(checkSelector(sel, system("a", { disks: 1 }), profile, distro)).toEqual([
      { criterion: "attributes", ok: false, why: "disks 1 is below the minimum 2 (allowed: >= 2)" },
      { criterion: "attributes", ok: true, why: 'osFamily "debian" fits [debian]' },
    ]);
  });

  it("need every criterion given; {} selects every system", () => {
    const sel = compiled({ names: ["web*"], attributes: { disks: { min: 2 } } });
    expect(selects(sel, system("web01", { disks: 1 }), profile, distro)).toBe(false);
    expect(selects(sel, system("web01", { disks: 4 }), profile, distro)).toBe(true);
    expect(checkSelector(compiled({}), system("x"), profile, distro)).toEqual([{ criterion: "all", ok: true, why: "the selector is {} (every system)" }]);
  });

  it("report what is wrong with a selector", () => {
    const problems: string[] = [];
    compileSelector({ names: "web*", attributes: { memoryMiB: ["lots"] }, rack: 2 }, "test", problems);
    expect(problems).toEqual([
      'rack: unknown key (expected one of: names, profiles, distros, attributes)',
      'names: expected a non-empty list of names or globs, found "web*"',
      'attributes.memoryMiB: memoryMiB is a numeric attribute; expected a range {min, max}, found a list',
    ]);
  });
});
