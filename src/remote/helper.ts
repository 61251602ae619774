/**
 * The helper client on a target: uploaded over SFTP into the login user's `~/.cache/bootplan/`,
 * verified by sha256 there, run with `sh` (it needs no exec bit and no shebang), answers in JSON.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../util/hash.js";
import { HelperError, RemoteError } from "./errors.js";
import type { SshSession } from "./pool.js";

/** Absolute path of the helper script shipped in the package. */
export const HELPER_FILE = fileURLToPath(new URL("../../helper/bootplan-helper", import.meta.url));

/** The helper script's bytes, version and sha256, read once. */
export interface HelperScript {
  bytes: Buffer;
  version: string;
  sha256: string;
  /** The file name it is uploaded as, inside the helper folder (the hash makes each version its own file). */
  fileName: string;
}

let cached: HelperScript | undefined;

/** The shipped helper: bytes, the version from its `HELPER_VERSION=` line, sha256 and remote path. */
export function helperScript(): HelperScript {
  if (cached) return cached;
  const bytes = readFileSync(HELPER_FILE);
  const version = /^HELPER_VERSION=["']?([^"'\s]+)/m.exec(bytes.toString("utf8"))?.[1] ?? "unknown";
  const sha256 = sha256Hex(bytes);
  cached = { bytes, version, sha256, fileName: `bootplan-helper-${version}-${sha256.slice(0, 12)}` };
  return cached;
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The default folder for the helper and uploads on a target, below the login directory. */
export const DEFAULT_HELPER_DIR = ".cache/bootplan";

/** The sha256 of a remote file as `sha256sum` reports it; undefined when the file is absent. */
export async function remoteSha256(s: SshSession, path: string): Promise<string | undefined> {
  const r = await s.exec(`if [ -f ${shellQuote(path)} ]; then sha256sum ${shellQuote(path)}; fi`);
  if (r.code !== 0) throw new RemoteError("ssh.checksum", `${s.target.label}: sha256sum failed on ${path}: ${r.stderr.trim().split("\n")[0]}`);
  const m = /^([0-9a-f]{64})\s/.exec(r.stdout);
  return m?.[1];
}

const uploaded = new WeakMap<SshSession, Map<string, Promise<string>>>();

/**
 * Uploads the helper into `dir` on the target, checks the uploaded bytes' sha256 there, and only then
 * moves it into place (one upload per session and folder, however many callers ask). Returns its path.
 */
export function ensureHelper(s: SshSession, dir = DEFAULT_HELPER_DIR): Promise<string> {
  const perSession = uploaded.get(s) ?? new Map<string, Promise<string>>();
  uploaded.set(s, perSession);
  let p = perSession.get(dir);
  if (!p) {
    p = (async () => {
      const h = helperScript();
      const path = `${dir.replace(/\/+$/, "")}/${h.fileName}`;
      // Unique per upload: several connections may share one file system (a home on NFS, the bench).
      const tmp = `${path}.upload-${process.pid}-${randomBytes(4).toString("hex")}`;
      await s.upload(h.bytes, tmp, 0o700);
      const [q, qt] = [shellQuote(path), shellQuote(tmp)];
      const r = await s.exec(`got=$(sha256sum ${qt} | cut -d' ' -f1); if [ "$got" = ${h.sha256} ]; then mv -f ${qt} ${q}; else rm -f ${qt}; echo "$got" >&2; exit 98; fi`);
      if (r.code === 98) {
        throw new RemoteError("helper.checksum", `${s.target.label}: the uploaded helper has sha256 ${r.stderr.trim() || "(none: is sha256sum installed?)"}, expected ${h.sha256}; nothing was run`);
      }
      if (r.code !== 0) throw new RemoteError("helper.install", `${s.target.label}: cannot place the helper in ${dir}: ${r.stderr.trim().split("\n")[0]}`);
      return path;
    })();
    perSession.set(dir, p);
    p.catch(() => perSession.delete(dir));
  }
  return p;
}

/** How to run the helper on one target. */
export interface HelperRunOptions {
  /** Helper folder on the target (default `.cache/bootplan` below the login directory). */
  dir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Run through `sudo -n`. */
  sudo?: boolean;
}

/** Exit code of the guard when the helper is absent or not the expected bytes (never one of the helper's own). */
const NOT_THERE = 97;

/**
 * Runs a helper subcommand and parses its JSON answer. One round trip in the usual case: the command
 * checks the helper's sha256 on the target and runs it only when it matches; otherwise the helper is
 * uploaded (and verified) and the call made again. A non-zero exit is a HelperError with its one-line error.
 */
export async function runHelper<T = Record<string, unknown>>(s: SshSession, args: string[], opts: HelperRunOptions = {}): Promise<T> {
  const h = helperScript();
  const dir = (opts.dir ?? DEFAULT_HELPER_DIR).replace(/\/+$/, "");
  const path = `${dir}/${h.fileName}`;
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const run = [...(opts.sudo ? ["sudo", "-n"] : []), ...(env.length ? ["env", ...env] : []), "sh", shellQuote(path), ...args.map(shellQuote)].join(" ");
  // sha256sum prints "HASH  PATH": the whole line is compared, which saves a `cut` on every call.
  const cmd = `if [ -f ${shellQuote(path)} ] && [ "$(sha256sum ${shellQuote(path)})" = ${shellQuote(`${h.sha256}  ${path}`)} ]; then exec ${run}; else exit ${NOT_THERE}; fi`;
  let r = await s.exec(cmd, { timeoutMs: opts.timeoutMs });
  if (r.code === NOT_THERE) {
    await ensureHelper(s, dir);
    r = await s.exec(cmd, { timeoutMs: opts.timeoutMs });
  }
  if (r.code !== 0) {
    const line = r.stderr.trim().split("\n").filter(Boolean).pop() ?? `exit ${r.code}`;
    throw new HelperError(r.code, `${s.target.label}: helper ${args[0]} failed (exit ${r.code}): ${line.replace(/^bootplan-helper: /, "")}`);
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new HelperError(70, `${s.target.label}: helper ${args[0]} printed no JSON: ${r.stdout.slice(0, 80)}`);
  }
}
