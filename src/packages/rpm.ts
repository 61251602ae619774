/** Reads an .rpm's header: the lead, the signature header (skipped), then name, version, arch and os tags. */
import { PackageFileError } from "./errors.js";
import type { PackageMetadata } from "./types.js";

const LEAD_SIZE = 96;
const LEAD_MAGIC = 0xedabeedb;
const HEADER_MAGIC = 0x8eade8; // followed by the header version byte (1)
const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, os: 1021, arch: 1022 } as const;
const TYPE_INT32 = 4, TYPE_STRING = 6, TYPE_I18NSTRING = 9;

interface Header {
  entries: Map<number, { type: number; offset: number; count: number }>;
  store: Buffer;
  /** Byte offset just past the header. */
  end: number;
}

function readHeader(file: string, buf: Buffer, off: number, what: string): Header {
  if (off + 16 > buf.length) throw new PackageFileError(file, `truncated .rpm (the ${what} header is cut short)`);
  if (buf.readUIntBE(off, 3) !== HEADER_MAGIC) throw new PackageFileError(file, `corrupt .rpm (no header magic at byte ${off} where the ${what} header should start)`);
  const count = buf.readUInt32BE(off + 8);
  const size = buf.readUInt32BE(off + 12);
  const indexStart = off + 16;
  const storeStart = indexStart + count * 16;
  const end = storeStart + size;
  if (count > 0xffff || end > buf.length) throw new PackageFileError(file, `truncated .rpm (the ${what} header declares ${count} entries and ${size} bytes, the file ends first)`);
  const entries = new Map<number, { type: number; offset: number; count: number }>();
  for (let i = 0; i < count; i++) {
    const e = indexStart + i * 16;
    const entry = { type: buf.readUInt32BE(e + 4), offset: buf.readInt32BE(e + 8), count: buf.readUInt32BE(e + 12) };
    if (entry.offset < 0 || entry.offset >= size) throw new PackageFileError(file, `corrupt .rpm (${what} header entry ${i} points outside its data)`);
    entries.set(buf.readUInt32BE(e), entry);
  }
  return { entries, store: buf.subarray(storeStart, end), end };
}

function stringTag(file: string, h: Header, tag: number): string | undefined {
  const e = h.entries.get(tag);
  if (!e) return undefined;
  if (e.type === TYPE_INT32) return String(h.store.readUInt32BE(e.offset));
  if (e.type !== TYPE_STRING && e.type !== TYPE_I18NSTRING) throw new PackageFileError(file, `corrupt .rpm (header tag ${tag} has type ${e.type}, expected a string)`);
  const nul = h.store.indexOf(0, e.offset);
  if (nul < 0) throw new PackageFileError(file, `corrupt .rpm (header tag ${tag} is not terminated)`);
  return h.store.subarray(e.offset, nul).toString("utf8");
}

/** Reads the metadata of an .rpm held in `buf`; `file` names it in errors. */
export function readRpm(file: string, buf: Buffer): PackageMetadata {
  if (buf.length < LEAD_SIZE) throw new PackageFileError(file, `truncated .rpm (${buf.length} bytes, shorter than the ${LEAD_SIZE}-byte lead)`);
  if (buf.readUInt32BE(0) !== LEAD_MAGIC) throw new PackageFileError(file, "not an .rpm package (no RPM lead signature)");
  const sig = readHeader(file, buf, LEAD_SIZE, "signature");
  // The signature header's data is padded so the main header starts on an 8-byte boundary.
  const main = readHeader(file, buf, sig.end + ((8 - (sig.end % 8)) % 8), "main");
  const name = stringTag(file, main, TAG.name);
  const version = stringTag(file, main, TAG.version);
  const arch = stringTag(file, main, TAG.arch);
  if (!name || !version || !arch) throw new PackageFileError(file, "corrupt .rpm (its header lacks the name, version or arch tag)");
  const release = stringTag(file, main, TAG.release);
  const epoch = stringTag(file, main, TAG.epoch);
  return {
    format: "rpm", name, arch, os: stringTag(file, main, TAG.os),
    version: `${epoch ? `${epoch}:` : ""}${version}${release ? `-${release}` : ""}`,
  };
}
