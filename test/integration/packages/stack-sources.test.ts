/** Package files in a stack: an .rpm's own arch governs until an external list declares more compatible. */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { editStackFile, runCli } from "../../helpers/stack.js";
import { lab, planErrors, planJson } from "../../unit/compat/helpers.js";
import { buildRpm, requireTools } from "./build.js";

describe("package files in a stack", () => {
  if (!requireTools("rpmbuild")) return;

  function withRpm(arch: string): string {
    const d = lab();
    const rpm = buildRpm(join(d, "packages"), { name: "nic-firmware", version: "2.1", release: "3", arch });
    editStackFile(d, "packages.yaml", "packages:\n", `packages:\n  nic-firmware:\n    source: packages/${rpm.split("/").pop()}\n`);
    editStackFile(d, "profiles.yaml", "packages: [postgresql-server]", "packages: [postgresql-server, nic-firmware]");
    return d;
  }

  it("fails a target outside the .rpm's own arch, naming the file that governs", async () => {
    const d = withRpm("aarch64");
    expect(await planErrors(d)).toEqual([expect.stringMatching(/^system\.db01: package nic-firmware 2\.1-3: arch x86_64 is not one of \[aarch64\]; governed by its own list \(.*packages\.yaml:\d+:13, packages\/nic-firmware-2\.1-3\.aarch64\.rpm\)$/)]);
  });

  it("installs it once an external list adds the target's arch, and puts it in the kickstart", async () => {
    const d = withRpm("aarch64");
    editStackFile(d, "overrides/ubuntu-noble.yaml", "overrides:\n", 'overrides:\n  nic-x86:\n    package: nic-firmware\n    versions: ">=2 <3"\n    attributes: {arch: [aarch64, x86_64]}\n    reason: vendor confirmed x86_64\n');
    const plan = await planJson(d);
    const ks = plan.changes.find((c) => c.address === "system.db01")!.files.find((f) => f.path.startsWith("http/answers/"))!;
    expect(ks.diff).toMatch(/^\+nic-firmware$/m);
    const r = await runCli(["explain", "system.db01", d, "--package", "nic-firmware", "--json"]);
    expect(JSON.parse(r.stdout).installables[0]).toMatchObject({ version: "2.1-3", rule: "external-differs", onlyThroughList: true });
  });

  it("takes a noarch .rpm as installable on any arch, but only by RHEL-family installers", async () => {
    const d = withRpm("noarch");
    await planJson(d);
    editStackFile(d, "profiles.yaml", "packages: [openssh-server, curl]", "packages: [openssh-server, curl, nic-firmware]");
    expect(await planErrors(d)).toContainEqual(expect.stringMatching(/^system\.web01: package nic-firmware 2\.1-3: osFamily debian is not one of \[rhel\]/));
  });
});
