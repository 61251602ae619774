/** Reads a package file's own metadata and turns it into a requirement list. */
import { readFileSync } from "node:fs";
import type { AttributeConstraint } from "../model/stack.js";
import { readDeb } from "./deb.js";
import { PackageFileError } from "./errors.js";
import { readRpm } from "./rpm.js";
import type { PackageMetadata } from "./types.js";

/** Debian and RPM architecture names mapped to bootplan's (the kernel's) names. */
const ARCH: Record<string, string> = {
  amd64: "x86_64", x86_64: "x86_64", arm64: "aarch64", aarch64: "aarch64", ppc64el: "ppc64le", ppc64le: "ppc64le",
  s390x: "s390x", i386: "i386", i486: "i386", i586: "i386", i686: "i386", armhf: "armhf", armv7hl: "armhf",
};

/** Architecture names meaning "installs on any architecture". */
const ANY_ARCH = new Set(["all", "noarch"]);

/** Reads a .deb or .rpm (told apart by content, not by name); throws PackageFileError naming `display`. */
export function readPackageFile(path: string, display: string): PackageMetadata {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new PackageFileError(display, `cannot read the package file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (buf.subarray(0, 8).toString("latin1") === "!<arch>\n") return readDeb(display, buf);
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0xedabeedb) return readRpm(display, buf);
  throw new PackageFileError(display, "not a package file (neither a .deb ar archive nor an .rpm)");
}

/**
 * The requirement list a package's own metadata implies: its architecture (none for all/noarch),
 * the OS families whose installer can install its format, and for RPMs the header's OS as `platform`.
 */
export function metadataRequirements(m: PackageMetadata, display: string): Record<string, AttributeConstraint> {
  const out: Record<string, AttributeConstraint> = {};
  if (!ANY_ARCH.has(m.arch)) {
    const arch = ARCH[m.arch];
    if (!arch) throw new PackageFileError(display, `unknown package architecture ${JSON.stringify(m.arch)} (known: ${[...Object.keys(ARCH), ...ANY_ARCH].join(", ")})`);
    out.arch = { type: "values", values: [arch] };
  }
  out.osFamily = { type: "values", values: m.format === "deb" ? ["debian", "ubuntu"] : ["rhel"] };
  if (m.os) out.platform = { type: "values", values: [m.os.toLowerCase()] };
  return out;
}
