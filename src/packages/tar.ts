/** Finds one member of an (uncompressed) tar archive; enough of ustar/GNU tar for control archives. */

const BLOCK = 512;

function field(buf: Buffer, start: number, len: number): string {
  const raw = buf.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString("utf8");
}

/**
 * The content of the regular file whose name (without a leading "./") is `name`; undefined when absent.
 * Throws a plain Error describing the damage when the archive is truncated or malformed.
 */
export function tarMember(tar: Buffer, name: string): Buffer | undefined {
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= tar.length) {
    const header = tar.subarray(off, off + BLOCK);
    if (header.every((b) => b === 0)) return undefined; // end-of-archive marker
    const sizeText = field(header, 124, 12).trim();
    if (!/^[0-7]+$/.test(sizeText)) throw new Error(`tar header at byte ${off} is malformed (size ${JSON.stringify(sizeText)})`);
    const size = parseInt(sizeText, 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = field(header, 345, 155);
    const short = field(header, 0, 100);
    const entry = longName ?? (prefix ? `${prefix}/${short}` : short);
    const dataStart = off + BLOCK;
    if (dataStart + size > tar.length) throw new Error(`tar member ${JSON.stringify(entry)} is truncated`);
    const data = tar.subarray(dataStart, dataStart + size);
    longName = undefined;
    if (type === "L") longName = field(data, 0, size); // GNU long name for the next entry
    else if ((type === "0" || type === "\0") && entry.replace(/^\.\//, "") === name) return data;
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error("tar archive ends without its end-of-archive marker (truncated)");
}
