/** The compatibility decision, rule by rule, through the lab stack as a user runs it (plan and explain). */
import { describe, expect, it } from "vitest";
import { editStackFile, runCli } from "../../helpers/stack.js";
import { answerFile, explainJson, lab, planErrors, planJson } from "./helpers.js";

const override = (name: string, body: string): string => `overrides:\n  ${name}:\n${body}`;

/** A system's plan notes about compatibility (the lab's plugins add notes of their own, `by plugin ...`). */
const compatNotes = (plan: Awaited<ReturnType<typeof planJson>>, system: string): string[] =>
  (plan.changes.find((c) => c.address === `system.${system}`)?.notes ?? []).filter((n) => !n.startsWith("by plugin "));

describe("decision: no external list applies", () => {
  it("lets the package's own list govern and puts a fitting package in the answer file", async () => {
    const d = lab();
    const e = await explainJson(d, "web01", "nginx");
    expect(e.installables).toHaveLength(1);
    expect(e.installables[0]).toMatchObject({ name: "nginx", version: "1.22.1", rule: "none-applies", governingList: null, compatible: true, outcome: "installs" });
    expect(e.installables[0].checks).toEqual([expect.objectContaining({ attribute: "memoryMiB", value: 4096, text: ">= 1024", list: null, ok: true })]);
    expect(answerFile(await planJson(d), "web01")).toMatch(/pkgsel\/include string openssh-server curl nginx$/m);
  });

  it("ignores a list whose version range excludes the package's version", async () => {
    const d = lab();
    editStackFile(d, "overrides/ubuntu-noble.yaml", '">=550 <600"', '">=560"');
    const e = await explainJson(d, "ci01", "gpu-driver");
    expect(e.installables[0].externalLists).toEqual([expect.objectContaining({ name: "ubuntu-noble-validated", applies: false, why: "550.54 is not in >=560" })]);
    expect(e.installables[0].rule).toBe("none-applies");
    expect(await planErrors(d)).toEqual([expect.stringMatching(/^system\.ci01: package gpu-driver 550\.54: os ubuntu-24\.04 is not one of \[debian-12, ubuntu-22\.04\]; governed by its own list \(.*packages\.yaml:12:7, requires\)$/)]);
  });
});

describe("decision: one external list applies", () => {
  it("keeps the own list governing when the list declares exactly the own attributes", async () => {
    const d = lab({ "overrides/same.yaml": override("nginx-same", "    package: nginx\n    attributes: {memoryMiB: {min: 1024}}\n    reason: restates the vendor\n") });
    const e = await explainJson(d, "web01", "nginx");
    expect(e.installables[0]).toMatchObject({ rule: "same-as-own", redundantList: "nginx-same", governingList: null });
    const plan = await planJson(d);
    expect(compatNotes(plan, "web01")).toEqual([]);
  });

  it("lets a differing list govern the attributes it names: the override is what makes ci01 possible", async () => {
    const e = await explainJson(lab(), "ci01", "gpu-driver");
    const g = e.installables[0];
    expect(g).toMatchObject({ rule: "external-differs", governingList: "ubuntu-noble-validated", compatible: true, onlyThroughList: true });
    expect(g.checks.find((c) => c.attribute === "os")).toMatchObject({ list: "ubuntu-noble-validated", value: "ubuntu-24.04", valueOrigin: "from distro ubuntu-24.04-amd64", ok: true });
  });

  it("keeps the own constraint for attributes the list does not name", async () => {
    const d = lab();
    editStackFile(d, "systems.yaml", "attributes: {arch: x86_64, firmware: uefi, memoryMiB: 8192}", "attributes: {arch: x86_64, firmware: uefi, memoryMiB: 4096}");
    expect(await planErrors(d)).toEqual([expect.stringMatching(/^system\.ci01: package gpu-driver 550\.54: memoryMiB 4096 is below the minimum 8192 \(allowed: >= 8192\); governed by its own list \(.*packages\.yaml:11:7, requires\)$/)]);
  });
});

describe("decision: several external lists apply", () => {
  const second = (priority = ""): Record<string, string> => ({
    "overrides/second.yaml": override("gpu-any-os", `    package: gpu-driver\n    attributes: {os: [ubuntu-24.04]}\n    reason: second opinion\n${priority}`),
  });

  it("is a validation error naming both lists when no priority orders them", async () => {
    const d = lab(second());
    const r = await runCli(["validate", d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: .*\.yaml:\d+:3: overrides\.(gpu-any-os|ubuntu-noble-validated): external lists (ubuntu-noble-validated|gpu-any-os) \(.*\.yaml:\d+\) and (ubuntu-noble-validated|gpu-any-os) \(.*\.yaml:\d+\) both apply to package gpu-driver 550\.54 and no priority orders them/m);
  });

  it("is a validation error when the highest priority is shared", async () => {
    const d = lab(second("    priority: 0\n"));
    await expect(planErrors(d)).resolves.toEqual([expect.stringMatching(/both apply to package gpu-driver 550\.54 and both have priority 0; set a higher priority/)]);
  });

  it("lets the list with the higher priority govern and names the one it outranks", async () => {
    const d = lab(second("    priority: 10\n"));
    const g = (await explainJson(d, "ci01", "gpu-driver")).installables[0];
    expect(g).toMatchObject({ governingList: "gpu-any-os", outranked: ["ubuntu-noble-validated"] });
  });
});

describe("decision: attribute kinds", () => {
  it("checks both ends of a numeric range", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "memoryMiB: {min: 1024, max: 3000}");
    const errs = await planErrors(d);
    expect(errs).toContainEqual(expect.stringMatching(/^system\.web01: package nginx 1\.22\.1: memoryMiB 4096 is above the maximum 3000 \(allowed: 1024\.\.3000\)/));
    expect(errs).toHaveLength(2); // web01 and web02
  });

  it("checks a version range, failing only the system outside it", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", 'kernel: ">=6.1"');
    editStackFile(d, "systems.yaml", "firmware: uefi, memoryMiB: 4096}", 'firmware: uefi, memoryMiB: 4096, kernel: "6.1.0"}');
    editStackFile(d, "systems.yaml", "firmware: bios, memoryMiB: 4096, disks: 2}", 'firmware: bios, memoryMiB: 4096, disks: 2, kernel: "5.10"}');
    expect(await planErrors(d)).toEqual([expect.stringMatching(/^system\.web02: package nginx 1\.22\.1: kernel 5\.10 is outside the version range >=6\.1; governed by its own list/)]);
  });

  it("requires every listed CPU flag", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "cpuFlags: [avx2, sse4_2]");
    editStackFile(d, "systems.yaml", "firmware: uefi, memoryMiB: 4096}", "firmware: uefi, memoryMiB: 4096, cpuFlags: [sse4_2, avx2, aes]}");
    editStackFile(d, "systems.yaml", "firmware: bios, memoryMiB: 4096, disks: 2}", "firmware: bios, memoryMiB: 4096, disks: 2, cpuFlags: [sse4_2]}");
    expect(await planErrors(d)).toEqual([expect.stringMatching(/^system\.web02: package nginx 1\.22\.1: cpuFlags \["sse4_2"\] lacks avx2 \(required: has \[avx2, sse4_2\]\)/)]);
  });

  it("fails a target that does not declare a constrained attribute", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "rack: [r1, r2]");
    const errs = await planErrors(d);
    expect(errs[0]).toMatch(/^system\.web01: package nginx 1\.22\.1: rack is not declared on the target \(allowed: \[r1, r2\]\)/);
  });
});

describe("decision: optional packages", () => {
  it("leaves an incompatible optional package out of the answer file and notes it in the plan", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", 'version: "1.22.1"', 'version: "1.22.1"\n    optional: true');
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "memoryMiB: {min: 8192}");
    const plan = await planJson(d);
    expect(answerFile(plan, "web01")).toMatch(/pkgsel\/include string openssh-server curl$/m);
    expect(compatNotes(plan, "web01")).toEqual([
      expect.stringMatching(/^skips optional package nginx 1\.22\.1: memoryMiB 4096 is below the minimum 8192 .*governed by its own list/),
    ]);
  });
});

describe("decision: distros and profiles", () => {
  it("fails systems whose firmware their distro does not support", async () => {
    const d = lab();
    editStackFile(d, "distros.yaml", "    installTree: http://deb.debian.org/debian", "    installTree: http://deb.debian.org/debian\n    requires: {firmware: [uefi]}");
    const errs = await planErrors(d);
    expect(errs).toEqual([
      expect.stringMatching(/^system\.web02: distro debian-12-amd64: firmware bios is not one of \[uefi\]; governed by its own list \(.*distros\.yaml:\d+:\d+, requires\)$/),
      expect.stringMatching(/^system\.legacy01: distro debian-12-amd64: firmware bios is not one of \[uefi\]/),
    ]);
  });

  it("lets an external list for a distro declare more firmware compatible, noting it in the plan", async () => {
    const d = lab({ "overrides/bios.yaml": override("debian-bios-ok", "    distro: debian-12-amd64\n    versions: \">=12\"\n    attributes: {firmware: [uefi, bios]}\n    reason: lab BIOS boxes install fine\n") });
    editStackFile(d, "distros.yaml", "    installTree: http://deb.debian.org/debian", "    installTree: http://deb.debian.org/debian\n    requires: {firmware: [uefi]}");
    const plan = await planJson(d);
    expect(plan.changes.find((c) => c.address === "system.web02")?.notes).toContainEqual(expect.stringMatching(/^uses external list debian-bios-ok for distro debian-12-amd64 \(.*bios\.yaml:2\)$/));
  });

  it("checks a profile's requirements, inherited ones included", async () => {
    const d = lab();
    editStackFile(d, "profiles.yaml", "    timezone: Etc/UTC", "    timezone: Etc/UTC\n    requires: {memoryMiB: {min: 3000}}");
    const errs = await planErrors(d);
    expect(errs).toEqual([expect.stringMatching(/^system\.legacy01: profile base-debian: memoryMiB 2048 is below the minimum 3000/)]);
  });
});
