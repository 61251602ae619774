/**
 * The helper client on a target: uploaded over SFTP into the login user's `~/.cache/bootplan/`,
 * verified by sha256 there, run with `sh` (it needs no exec bit and no shebang), answers in JSON.
 */
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
 * Makes sure the helper is on the target and intact: reuses a copy whose sha256 matches, otherwise
 * uploads it, checks the uploaded bytes' sha256 there and only then moves it into place. Returns its path.
 */
export function ensureHelper(s: SshSession, dir = DEFAULT_HELPER_DIR): Promise<string> {
  const perSession = uploaded.get(s) ?? new Map<string, Promise<string>>();
  uploaded.set(s, perSession);
  let p = perSession.get(dir);
  if (!p) {
    p = (async () => {
      const h = helperScript();
      const path = `${dir.replace(/\/+$/, "")}/${h.fileName}`;
      if ((await remoteSha256(s, path)) === h.sha256) return path;
      const tmp = `${path}.upload-${process.pid}`;
      await s.upload(h.bytes, tmp, 0o700);
      const got = await remoteSha256(s, tmp);
      if (got !== h.sha256) {
        await s.exec(`rm -f ${shellQuote(tmp)}`).catch(() => undefined);
        throw new RemoteError("helper.checksum", `${s.target.label}: the uploaded helper has sha256 ${got ?? "(missing)"}, expected ${h.sha256}; nothing was run`);
      }
      const mv = await s.exec(`mv -f ${shellQuote(tmp)} ${shellQuote(path)}`);
      if (mv.code !== 0) throw new RemoteError("helper.install", `${s.target.label}: cannot place the helper: ${mv.stderr.trim()}`);
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

/** Runs a helper subcommand and parses its JSON answer; a non-zero exit is a HelperError with its one-line error. */
export async function runHelper<T = Record<string, unknown>>(s: SshSession, args: string[], opts: HelperRunOptions = {}): Promise<T> {
  const path = await ensureHelper(s, opts.dir);
  const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const cmd = [...(opts.sudo ? ["sudo", "-n"] : []), ...(env.length ? ["env", ...env] : []), "sh", shellQuote(path), ...args.map(shellQuote)].join(" ");
  const r = await s.exec(cmd, { timeoutMs: opts.timeoutMs });
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
