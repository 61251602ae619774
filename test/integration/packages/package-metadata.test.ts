/** Package metadata: real .deb (dpkg-deb) and .rpm (rpmbuild) files read for arch, OS and version; damage named. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PackageFileError } from "../../../src/packages/errors.js";
import { metadataRequirements, readPackageFile } from "../../../src/packages/read.js";
import { buildDeb, buildRpm, requireTools } from "./build.js";

const out = mkdtempSync(join(tmpdir(), "bootplan-pkgs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function readError(path: string): PackageFileError {
  try {
    readPackageFile(path, basename(path));
  } catch (err) {
    if (err instanceof PackageFileError) return err;
    throw err;
  }
  throw new Error(`expected ${path} to be refused`);
}

describe("deb metadata", () => {
  if (!requireTools("dpkg-deb", "xz", "zstd")) return;

  for (const compression of ["gzip", "xz", "zstd", "none"] as const) {
    it(`reads name, version and architecture from a ${compression} control archive`, () => {
      const f = buildDeb(out, { name: `drv-${compression}`, version: "550.54-1", arch: "amd64", compression });
      const m = readPackageFile(f, basename(f));
      expect(m).toEqual({ format: "deb", name: `drv-${compression}`, version: "550.54-1", arch: "amd64" });
    });
  }

  it("maps Debian architectures to bootplan's and treats all as any", () => {
    const arm = readPackageFile(buildDeb(out, { name: "drv-arm", version: "1", arch: "arm64" }), "arm.deb");
    const all = readPackageFile(buildDeb(out, { name: "drv-all", version: "1", arch: "all" }), "all.deb");
    expect(metadataRequirements(arm, "arm.deb")).toEqual({ arch: { type: "values", values: ["aarch64"] }, osFamily: { type: "values", values: ["debian", "ubuntu"] } });
    expect(metadataRequirements(all, "all.deb")).toEqual({ osFamily: { type: "values", values: ["debian", "ubuntu"] } });
  });

  it("names a truncated .deb and says it is truncated", () => {
    const f = buildDeb(out, { name: "drv-cut", version: "1", arch: "amd64", compression: "gzip" });
    const cut = join(out, "cut.deb");
    writeFileSync(cut, readFileSync(f).subarray(0, 200));
    const e = readError(cut);
    expect(e.code).toBe("package.unreadable");
    expect(e.message).toMatch(/^cut\.deb: truncated \.deb/);
  });

  it("names a .deb whose control archive is corrupt", () => {
    const f = buildDeb(out, { name: "drv-bad", version: "1", arch: "amd64", compression: "xz" });
    const buf = Buffer.from(readFileSync(f));
    const at = buf.indexOf("control.tar.xz") + 60 + 20; // inside the compressed control archive
    for (let i = at; i < at + 24; i++) buf[i] ^= 0xff;
    const bad = join(out, "bad.deb");
    writeFileSync(bad, buf);
    expect(readError(bad).message).toMatch(/^bad\.deb: corrupt \.deb \(its xz control archive does not decompress/);
  });
});

describe("rpm metadata", () => {
  if (!requireTools("rpmbuild")) return;

  it("reads name, epoch-less version-release, arch and os from the header", () => {
    const f = buildRpm(out, { name: "nic-fw", version: "2.1", release: "3", arch: "x86_64" });
    expect(readPackageFile(f, basename(f))).toEqual({ format: "rpm", name: "nic-fw", version: "2.1-3", arch: "x86_64", os: "linux" });
  });

  it("turns arch and os into requirements; noarch requires no arch", () => {
    const arm = readPackageFile(buildRpm(out, { name: "nic-arm", version: "1", release: "1", arch: "aarch64" }), "a.rpm");
    const any = readPackageFile(buildRpm(out, { name: "nic-any", version: "1", release: "1", arch: "noarch" }), "n.rpm");
    expect(metadataRequirements(arm, "a.rpm")).toEqual({
      arch: { type: "values", values: ["aarch64"] }, osFamily: { type: "values", values: ["rhel"] }, platform: { type: "values", values: ["linux"] },
    });
    expect(metadataRequirements(any, "n.rpm").arch).toBeUndefined();
  });

  it("names a truncated .rpm", () => {
    const f = buildRpm(out, { name: "nic-cut", version: "1", release: "1", arch: "x86_64" });
    const cut = join(out, "cut.rpm");
    writeFileSync(cut, readFileSync(f).subarray(0, 150));
    expect(readError(cut).message).toMatch(/^cut\.rpm: truncated \.rpm \(the signature header declares \d+ entries/);
  });

  it("names an .rpm whose main header is damaged", () => {
    const buf = Buffer.from(readFileSync(buildRpm(out, { name: "nic-bad", version: "1", release: "1", arch: "x86_64" })));
    const sigEnd = 96 + 16 + buf.readUInt32BE(96 + 8) * 16 + buf.readUInt32BE(96 + 12);
    const main = sigEnd + ((8 - (sigEnd % 8)) % 8);
    buf[main] = 0; // the header magic
    const bad = join(out, "bad.rpm");
    writeFileSync(bad, buf);
    expect(readError(bad).message).toMatch(/^bad\.rpm: corrupt \.rpm \(no header magic at byte \d+ where the main header should start\)$/);
  });
});

describe("files that are not packages", () => {
  it("refuses a text file, naming it", () => {
    const f = join(out, "notes.deb");
    writeFileSync(f, "just text\n");
    expect(readError(f).message).toBe("notes.deb: not a package file (neither a .deb ar archive nor an .rpm)");
  });

  it("refuses an ar archive that is not a .deb", () => {
    const f = join(out, "lib.deb");
    writeFileSync(f, "!<arch>\n" + "x.o/".padEnd(16) + "0".padEnd(12) + "0".padEnd(6) + "0".padEnd(6) + "644".padEnd(8) + "2".padEnd(10) + "`\n" + "hi");
    expect(readError(f).message).toBe("lib.deb: not a .deb package (an ar archive without a debian-binary member)");
  });
});

describe("deb metadata without the decompressor", () => {
  if (!requireTools("dpkg-deb")) return;

  it("says which program is missing for an xz control archive", () => {
    const f = buildDeb(out, { name: "drv-nopath", version: "1", arch: "amd64", compression: "xz" });
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      expect(readError(f).message).toMatch(/its control archive is xz-compressed and the xz program is not available \(ENOENT\); install xz-utils$/);
    } finally {
      process.env.PATH = path;
    }
  });
});
