/** Stack validation: every kind of bad input is one positioned line, exit 1, nothing written. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, runCli, stackErrors, tempStacks } from "../../helpers/stack.js";

const stackWith = tempStacks();

const errorsOf = stackErrors;

const system = (body: string): string => `systems:\n  bad01:\n${body}`;

describe("stack validation errors", () => {
  it("names file, line and column for a dangling profile reference", () => {
    const d = stackWith({ "bad.yaml": system(`    profile: nope\n    interfaces: [{mac: "52:54:00:aa:00:01"}]\n`) });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^bad\.yaml:3:14: systems\.bad01\.profile: no profile named "nope" \(profiles: .*web.*\)$/)]);
  });

  it("reports an inheritance cycle with its path", () => {
    const d = stackWith({ "bad.yaml": "profiles:\n  a: {inherits: b}\n  b: {inherits: a}\n" });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^bad\.yaml:2:17: profiles\.a\.inherits: inheritance cycle a -> b -> a$/)]);
  });

  it("rejects an invalid MAC with what was expected and found", () => {
    const d = stackWith({ "bad.yaml": system(`    profile: web\n    interfaces: [{mac: "52:54:00:zz:00:01"}]\n`) });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^bad\.yaml:4:24: systems\.bad01\.interfaces\[0\]\.mac: expected a MAC address like 52:54:00:12:34:01, found "52:54:00:zz:00:01"$/)]);
  });

  it("rejects a MAC already used by another system, naming it", () => {
    // zz- sorts after systems.yaml, so web01 is the first user of the MAC.
    const d = stackWith({ "zz-bad.yaml": system(`    profile: web\n    interfaces: [{mac: "52:54:00:12:34:01"}]\n`) });
    expect(errorsOf(d)[0]).toMatch(/MAC 52:54:00:12:34:01 is already used by system web01 \(systems\.yaml:\d+\)/);
  });

  it("rejects an invalid IP and a gateway without an address", () => {
    const d = stackWith({ "bad.yaml": system(`    profile: web\n    interfaces: [{mac: "52:54:00:aa:00:01", ip: 10.0.300.1/24}, {mac: "52:54:00:aa:00:02", gateway: 10.0.2.1}]\n`) });
    const errs = errorsOf(d);
    expect(errs).toContainEqual(expect.stringMatching(/interfaces\[0\]\.ip: expected an IPv4 address with prefix like 10\.0\.2\.15\/24, found "10\.0\.300\.1\/24"/));
    expect(errs).toContainEqual(expect.stringMatching(/interfaces\[1\]\.gateway: a gateway needs a static ip/));
  });

  it("rejects unknown keys, listing the allowed ones", () => {
    const d = stackWith({ "bad.yaml": system(`    profile: web\n    interfaces: [{mac: "52:54:00:aa:00:01"}]\n    hostnme: x\n`) });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^bad\.yaml:5:5: systems\.bad01\.hostnme: unknown key "hostnme" \(expected one of: profile, hostname, .*\)$/)]);
  });

  it("rejects wrong types, saying what was found", () => {
    const d = stackWith({ "bad.yaml": system(`    profile: web\n    netboot: "yes"\n    interfaces: [{mac: "52:54:00:aa:00:01"}]\n`) });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^bad\.yaml:4:14: systems\.bad01\.netboot: expected one of true, false, "once", found "yes"$/)]);
  });

  it("reports YAML syntax errors at their position", () => {
    const d = stackWith({ "bad.yaml": "systems:\n  bad01: {profile: web\n" });
    expect(errorsOf(d)[0]).toMatch(/^bad\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const lol = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const d = stackWith({ "bomb.yaml": `x-bomb:\n${lol.map((l) => "  " + l).join("\n")}\n` });
    expect(errorsOf(d)[0]).toMatch(/^bomb\.yaml:\d+:\d+: too many YAML alias expansions .* alias bomb$/);
  });

  it("rejects a name defined in two files, naming both places", () => {
    const d = stackWith({ "more.yaml": "profiles:\n  web: {inherits: base-debian}\n" });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^profiles\.yaml:\d+:3: profiles\.web is defined twice: here and at more\.yaml:2:3$|^more\.yaml:2:3: profiles\.web is defined twice: here and at profiles\.yaml:\d+:3$/)]);
  });

  it.each([
    ["a slash", "a/b"],
    ["a backslash", "a\\\\b"],
    ["dot-dot", "a..b"],
    ["a leading dot", ".hidden"],
    ["NUL", "a\\0b"],
  ])("rejects a name with %s, which could escape the provisioning root", (_what, name) => {
    const d = stackWith({ "bad.yaml": `systems:\n  "${name}": {profile: web, interfaces: [{mac: "52:54:00:aa:00:01"}]}\n` });
    expect(errorsOf(d)[0]).toMatch(/^bad\.yaml:2:3: .*invalid name .*: names use letters, digits/);
  });

  it("requires a hosted boot file to match its sha256, naming both hashes", () => {
    const d = stackWith({});
    editStackFile(d, "distros.yaml", /sha256: aa6d2220[0-9a-f]+/, `sha256: "${"0".repeat(64)}"`);
    expect(errorsOf(d)[0]).toMatch(/^distros\.yaml:\d+:\d+: distros\.debian-12-amd64\.kernel: boot\/debian-12\/linux has sha256 aa6d2220[0-9a-f]{56}, the stack expects 0{64}$/);
  });

  it("exits 1 from the CLI, prints one line per error and writes nothing", async () => {
    const d = stackWith({ "bad.yaml": system(`    profile: nope\n    interfaces: [{mac: "52:54:00:aa:00:01"}]\n`) });
    const r = await runCli(["plan", d]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Error: .*bad\.yaml:3:14: systems\.bad01\.profile: no profile named "nope"/)]);
    expect(existsSync(join(d, ".bootplan"))).toBe(false);
    const a = await runCli(["apply", d, "--auto-approve"]);
    expect(a.code).toBe(1);
    expect(existsSync(join(d, ".bootplan"))).toBe(false);
  });

  it("validates the lab stack", async () => {
    const r = await runCli(["validate", stackWith({})]);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Stack lab is valid: 5 systems, 5 profiles, 3 distros, 2 repos/) });
  });
});
