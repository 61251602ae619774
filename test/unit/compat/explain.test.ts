/** `bootplan explain`: every decision step for a target, as text and as JSON, and its usage errors. */
import { describe, expect, it } from "vitest";
import { editStackFile, runCli } from "../../helpers/stack.js";
import { explainJson, lab } from "./helpers.js";

describe("explain text", () => {
  it("prints lists found, whether each applies, what governs, and each attribute checked", async () => {
    const r = await runCli(["explain", "system.ci01", lab(), "--package", "gpu-driver"]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^system\.ci01 \(profile ci-runner, distro ubuntu-24\.04-amd64\)\n/);
    expect(out).toMatch(/^attributes: arch=x86_64 \(declared\), os=ubuntu-24\.04 \(from distro ubuntu-24\.04-amd64\)/m);
    expect(out).toMatch(/^package gpu-driver 550\.54 \(.*packages\.yaml:5:3\)$/m);
    expect(out).toMatch(/^ +arch: from packages\/gpu-driver_550\.54_amd64\.deb at .*packages\.yaml:8:13$/m);
    expect(out).toMatch(/^ {4}ubuntu-noble-validated \(.*ubuntu-noble\.yaml:4:3\): applies: 550\.54 is in >=550 <600$/m);
    expect(out).toMatch(/^ {2}governs: +external list ubuntu-noble-validated for os \(it differs from the own list\); its own list for firmware, memoryMiB, arch, osFamily$/m);
    expect(out).toMatch(/^ {4}os +ubuntu-24\.04 +allowed \[debian-12, ubuntu-22\.04, ubuntu-24\.04\] +ok +\(external list ubuntu-noble-validated; value from distro ubuntu-24\.04-amd64\)$/m);
    expect(out).toMatch(/^ {2}result: +compatible: installs, only because external list ubuntu-noble-validated governs \(its own list alone refuses this target\)$/m);
    expect(out).not.toMatch(/^distro /m);
  });

  it("shows the failing attribute and that the target cannot be planned", async () => {
    const d = lab();
    editStackFile(d, "overrides/ubuntu-noble.yaml", '">=550 <600"', '">=560"');
    const r = await runCli(["explain", "system.ci01", d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {4}ubuntu-noble-validated .*: does not apply: 550\.54 is not in >=560$/m);
    expect(r.stdout).toMatch(/^ {4}os +ubuntu-24\.04 +allowed \[debian-12, ubuntu-22\.04\] +FAILS: os is not one of \[debian-12, ubuntu-22\.04\]/m);
    expect(r.stdout).toMatch(/^ {2}result: +incompatible: fails the plan$/m);
    expect(r.stdout.trimEnd().split("\n").at(-1)).toBe("system.ci01 cannot be planned: an installable it needs fails its governing list.");
  });
});

describe("explain JSON", () => {
  it("gives the distro, the profile and each declared package with the same steps as data", async () => {
    const e = await explainJson(lab(), "ci01");
    expect(e.installables.map((i) => `${i.kind} ${i.name}`)).toEqual(["distro ubuntu-24.04-amd64", "profile ci-runner", "package gpu-driver"]);
    expect(e.unchecked).toEqual(["openssh-server", "git", "build-essential"]);
    expect(e.attributes.os).toEqual({ value: "ubuntu-24.04", origin: "from distro ubuntu-24.04-amd64" });
    const g = e.installables[2];
    expect(g.ownList.map((r) => [r.attribute, r.allowed, r.list])).toEqual([
      ["firmware", ["uefi"], null], ["memoryMiB", { min: 8192 }, null], ["os", ["debian-12", "ubuntu-22.04"], null],
      ["arch", ["x86_64"], null], ["osFamily", ["debian", "ubuntu"], null],
    ]);
    expect(g.externalLists).toEqual([{ name: "ubuntu-noble-validated", at: expect.stringMatching(/ubuntu-noble\.yaml:4:3$/), applies: true, why: "550.54 is in >=550 <600", reason: expect.any(String), priority: null }]);
    expect(e.compatible).toBe(true);
  });
});

describe("explain usage errors", () => {
  it.each([
    [["explain", "web01"], /^Error: explain: expected a system address like system\.web01, got "web01"$/],
    [["explain", "system.nope"], /^Error: explain: no system named "nope" in stack lab \(systems: web01, web02, db01, ci01, legacy01\)$/],
    [["explain", "system.web01", "--package", "gpu-driver"], /^Error: --package gpu-driver: system\.web01 does not install it \(profile web lists: openssh-server, curl, nginx\)$/],
  ])("refuses %j with one line", async (args, want) => {
    const d = lab();
    const r = await runCli([...args.slice(0, 2), d, ...args.slice(2)]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(want);
  });
});
