/** Reads a .deb's control fields: the ar archive, its control.tar (plain, gz, xz or zst), the control file. */
import { spawnSync } from "node:child_process";
import { gunzipSync } from "node:zlib";
import { PackageFileError } from "./errors.js";
import { tarMember } from "./tar.js";
import type { PackageMetadata } from "./types.js";

const AR_MAGIC = "!<arch>\n";
const AR_HEADER = 60;

/** The members of an ar archive by name, in order. */
function arMembers(file: string, buf: Buffer): Map<string, Buffer> {
  if (buf.subarray(0, AR_MAGIC.length).toString("latin1") !== AR_MAGIC) throw new PackageFileError(file, "not a .deb package (no ar archive signature)");
  const out = new Map<string, Buffer>();
  let off = AR_MAGIC.length;
  while (off < buf.length) {
    if (off + AR_HEADER > buf.length) throw new PackageFileError(file, `truncated .deb (ar header at byte ${off} is cut short)`);
    const h = buf.subarray(off, off + AR_HEADER).toString("latin1");
    if (h.slice(58, 60) !== "`\n") throw new PackageFileError(file, `corrupt .deb (bad ar header at byte ${off})`);
    const name = h.slice(0, 16).trim().replace(/\/$/, "");
    const size = Number(h.slice(48, 58).trim());
    if (!Number.isInteger(size) || size < 0) throw new PackageFileError(file, `corrupt .deb (bad member size in the ar header at byte ${off})`);
    const start = off + AR_HEADER;
    if (start + size > buf.length) throw new PackageFileError(file, `truncated .deb (member ${name} needs ${size} bytes, ${buf.length - start} left)`);
    out.set(name, buf.subarray(start, start + size));
    off = start + size + (size % 2); // members are 2-byte aligned
  }
  return out;
}

/**
 * Decompresses with the system's xz or zstd: Node 20's zlib has neither, and both tools come with
 * every Debian-family system that builds .deb files (xz-utils, zstd), so no npm codec is needed.
 */
function external(file: string, tool: "xz" | "zstd", data: Buffer): Buffer {
  const r = spawnSync(tool, ["-dc"], { input: data, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new PackageFileError(file, `its control archive is ${tool}-compressed and the ${tool} program is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); install ${tool === "xz" ? "xz-utils" : "zstd"}`);
  if (r.status !== 0) throw new PackageFileError(file, `corrupt .deb (its ${tool} control archive does not decompress: ${r.stderr.toString().trim().split("\n")[0]})`);
  return r.stdout;
}

function controlTar(file: string, members: Map<string, Buffer>): Buffer {
  const plain = members.get("control.tar");
  if (plain) return plain;
  const gz = members.get("control.tar.gz");
  if (gz) {
    try {
      return gunzipSync(gz);
    } catch (err) {
      throw new PackageFileError(file, `corrupt .deb (its gzip control archive does not decompress: ${(err as Error).message})`);
    }
  }
  const xz = members.get("control.tar.xz");
  if (xz) return external(file, "xz", xz);
  const zst = members.get("control.tar.zst");
  if (zst) return external(file, "zstd", zst);
  throw new PackageFileError(file, `not a .deb package (no control.tar member; members: ${[...members.keys()].join(", ") || "none"})`);
}

/** Parses RFC-822 style control fields; continuation lines are folded into the field. */
export function parseControl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split("\n")) {
    if (/^\s/.test(line) && last) out[last] += "\n" + line.trim();
    else {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) out[(last = m[1].toLowerCase())] = m[2].trim();
    }
  }
  return out;
}

/** Reads the metadata of a .deb held in `buf`; `file` names it in errors. */
export function readDeb(file: string, buf: Buffer): PackageMetadata {
  const members = arMembers(file, buf);
  if (!members.has("debian-binary")) throw new PackageFileError(file, "not a .deb package (an ar archive without a debian-binary member)");
  let control: Buffer | undefined;
  try {
    control = tarMember(controlTar(file, members), "control");
  } catch (err) {
    if (err instanceof PackageFileError) throw err;
    throw new PackageFileError(file, `corrupt .deb control archive: ${(err as Error).message}`);
  }
  if (!control) throw new PackageFileError(file, "corrupt .deb (its control archive has no control file)");
  const f = parseControl(control.toString("utf8"));
  for (const key of ["package", "version", "architecture"]) {
    if (!f[key]) throw new PackageFileError(file, `corrupt .deb (its control file has no ${key[0].toUpperCase()}${key.slice(1)}: field)`);
  }
  return { format: "deb", name: f.package, version: f.version, arch: f.architecture };
}
