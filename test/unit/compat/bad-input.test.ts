/** Bad compatibility input: each problem is one positioned line, exit 1, nothing written. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, runCli } from "../../helpers/stack.js";
import { lab } from "./helpers.js";

/** Runs `plan` on the stack, expecting exit 1 and nothing written; returns the error lines. */
async function refused(d: string): Promise<string[]> {
  const r = await runCli(["plan", d]);
  expect(r.code).toBe(1);
  expect(existsSync(join(d, ".bootplan"))).toBe(false);
  return r.stderr.trim().split("\n").map((l) => l.replace(/^Error: /, ""));
}

const list = (body: string): Record<string, string> => ({ "overrides/bad.yaml": `overrides:\n  bad-list:\n${body}` });

describe("bad compatibility input", () => {
  it("refuses an external list for a package that does not exist", async () => {
    const d = lab(list("    package: gpu-drivr\n    attributes: {arch: [aarch64]}\n    reason: typo\n"));
    expect(await refused(d)).toEqual([expect.stringMatching(/^.*overrides\/bad\.yaml:3:14: overrides\.bad-list\.package: no package named "gpu-drivr" to apply to \(packages: gpu-driver, nginx\)$/)]);
  });

  it("refuses an external list that names two installables", async () => {
    const d = lab(list("    package: nginx\n    profile: web\n    attributes: {arch: [aarch64]}\n    reason: x\n"));
    expect(await refused(d)).toEqual([expect.stringMatching(/bad\.yaml:2:3: overrides\.bad-list: name exactly one of package, distro or profile it applies to \(found package and profile\)$/)]);
  });

  it("refuses a constraint of an unknown type", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "memoryMiB: {min: 1024}\n      rack: true");
    expect(await refused(d)).toEqual([expect.stringMatching(/packages\.yaml:\d+:13: packages\.nginx\.requires\.rack: expected array,object,string, found boolean true$/)]);
  });

  it("refuses a constraint whose form does not fit a known attribute", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "memoryMiB: [1024]");
    expect(await refused(d)).toEqual([expect.stringMatching(/packages\.yaml:17:18: packages\.nginx\.requires\.memoryMiB: memoryMiB is a numeric attribute; expected a range \{min, max\}, found a list$/)]);
  });

  it("refuses an operator attribute whose constraint is a map other than {min, max}", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "rack: {in: r1}");
    expect(await refused(d)).toEqual([expect.stringMatching(/packages\.nginx\.requires\.rack: expected a range \{min, max\}, found key "in"$/)]);
  });

  it("refuses an unparsable version range", async () => {
    const d = lab();
    editStackFile(d, "overrides/ubuntu-noble.yaml", '">=550 <600"', '"~>550"');
    expect(await refused(d)).toEqual([expect.stringMatching(/ubuntu-noble\.yaml:6:15: overrides\.ubuntu-noble-validated\.versions: cannot read "~>550" in version range "~>550"/)]);
  });

  it("refuses version and numeric ranges that can never match", async () => {
    const d = lab();
    editStackFile(d, "overrides/ubuntu-noble.yaml", '">=550 <600"', '">=600 <550"');
    editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "memoryMiB: {min: 4096, max: 1024}");
    const errs = await refused(d);
    expect(errs).toContainEqual(expect.stringMatching(/ubuntu-noble\.yaml:6:15: .*versions: version range ">=600 <550" can never match/));
    expect(errs).toContainEqual(expect.stringMatching(/packages\.yaml:17:18: packages\.nginx\.requires\.memoryMiB: range \{min: 4096, max: 1024\} can never match \(min is above max\)$/));
  });

  it("refuses a package file that is not a package, naming the entry and the file", async () => {
    const d = lab({ "packages/fake.deb": "not a package\n" });
    editStackFile(d, "packages.yaml", "packages/gpu-driver_550.54_amd64.deb", "packages/fake.deb");
    expect(await refused(d)).toEqual([expect.stringMatching(/packages\.yaml:8:13: packages\.gpu-driver\.source: packages\/fake\.deb: not a package file \(neither a \.deb ar archive nor an \.rpm\)$/)]);
  });

  it("refuses a missing package file", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "packages/gpu-driver_550.54_amd64.deb", "packages/gone.deb");
    expect(await refused(d)).toEqual([expect.stringMatching(/packages\.yaml:8:13: packages\.gpu-driver\.source: no such package file "packages\/gone\.deb"$/)]);
  });

  it("refuses a declared version or arch that contradicts the package file", async () => {
    const d = lab();
    editStackFile(d, "packages.yaml", "source: packages/gpu-driver_550.54_amd64.deb", 'source: packages/gpu-driver_550.54_amd64.deb\n    version: "550.99"');
    editStackFile(d, "packages.yaml", "firmware: [uefi]", "firmware: [uefi]\n      arch: [aarch64]");
    const errs = await refused(d);
    expect(errs).toContainEqual(expect.stringMatching(/packages\.gpu-driver\.version: "550\.99" differs from the package file's version "550\.54"/));
    expect(errs).toContainEqual(expect.stringMatching(/packages\.gpu-driver\.requires\.arch: \[aarch64\] contradicts the package file's own arch \[x86_64\]/));
  });

  it("refuses a versions range on a profile's external list", async () => {
    const d = lab(list('    profile: web\n    versions: ">=1"\n    attributes: {firmware: [bios]}\n    reason: x\n'));
    expect(await refused(d)).toEqual([expect.stringMatching(/bad\.yaml:4:15: overrides\.bad-list\.versions: profiles have no version; remove versions:$/)]);
  });

  it("refuses a system attribute of the wrong type", async () => {
    const d = lab();
    editStackFile(d, "systems.yaml", "memoryMiB: 2048}", 'memoryMiB: "2 GiB"}');
    expect(await refused(d)).toEqual([expect.stringMatching(/systems\.yaml:\d+:\d+: systems\.legacy01\.attributes\.memoryMiB: expected a number, found "2 GiB"$/)]);
  });
});
