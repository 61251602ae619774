/** Crash-safe file replacement: the target always exists whole, old or new, and the previous version is kept. */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

/** State files hold infrastructure details: readable by their owner only. */
export const FILE_MODE = 0o600;
/** Directories created for state are private to their owner. */
export const DIR_MODE = 0o700;

/** Creates a file's parent directory (mode 0700) when it is missing. */
export function ensureParentDir(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: DIR_MODE });
}

/** Flushes a directory entry change (create, rename, unlink) to disk; a no-op where directories cannot be opened. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch (err) {
    // Some platforms and filesystems refuse fsync on a directory; the rename is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeAllSync(fd: number, data: string | Iterable<Buffer>): void {
  for (const buf of typeof data === "string" ? [Buffer.from(data, "utf8")] : data) {
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
  }
}

/** Points `<file>.backup` at the current contents of `file` without a moment where no backup exists. */
function keepBackup(file: string, backup: string, tmpSuffix: string): void {
  const tmp = `${backup}.${tmpSuffix}`;
  try {
    // A hard link costs nothing for a 40 MB state; the new version is written to a new inode, so the link keeps the old one.
    fs.linkSync(file, tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return; // first write: nothing to keep
    // Filesystems without hard links (some network and FAT mounts) get a copy instead.
    fs.copyFileSync(file, tmp);
    fs.chmodSync(tmp, FILE_MODE);
  }
  // Renaming over the old backup replaces it atomically.
  fs.renameSync(tmp, backup);
}

/**
 * Replaces `file` with `data` (text, or bytes in parts, which may be made as they are written) atomically: temp file in the same directory, fsync, previous version kept
 * as `<file>.backup`, rename over the target, fsync the directory.
 */
export function writeFileAtomic(file: string, data: string | Iterable<Buffer>, opts: { backup?: boolean } = {}): void {
  ensureParentDir(file);
  const dir = path.dirname(file);
  const suffix = `tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = `${file}.${suffix}`;
  const fd = fs.openSync(tmp, "wx", FILE_MODE);
  try {
    try {
      writeAllSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (opts.backup !== false) keepBackup(file, `${file}.backup`, suffix);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}
