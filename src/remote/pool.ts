/**
 * Pooled SSH connections (ssh2): one connection per target reused within a run, at most
 * `concurrency` targets worked on at once, connect and command timeouts, retry with backoff for
 * transient network errors, and host keys checked against the pins before authenticating.
 */
import { createRequire } from "node:module";
import type { Client, ConnectConfig, SFTPWrapper } from "ssh2";
import { checkHostKey, fingerprint, pinnedAlgorithms, type PinnedKey } from "./host-keys.js";
import { HostKeyError, RemoteError } from "./errors.js";

const require = createRequire(import.meta.url);

/** A new ssh2 client; ssh2 is loaded on the first connection (~35 ms), so a run that contacts no machine never pays for it. */
function newClient(): Client {
  return new (require("ssh2") as typeof import("ssh2")).Client();
}

/** How to reach one machine. Secrets (key, passphrase, password) are values here, never recorded. */
export interface SshTarget {
  /** Names the target in every message, e.g. `system.web01`. */
  label: string;
  host: string;
  port: number;
  user: string;
  /** A private key in OpenSSH or PEM format. */
  privateKey?: string;
  passphrase?: string;
  password?: string;
  /** Pinned host keys; an offered key not among them is refused (HostKeyError). */
  hostKeys: PinnedKey[];
}

/** Limits and timeouts of a pool; every field has a default. */
export interface PoolOptions {
  /** Most targets worked on at once (--ssh-concurrency). Default 16. */
  concurrency?: number;
  /** Connect + handshake + authentication limit per attempt, ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** Default limit for one remote command, ms. Default 120 000. */
  commandTimeoutMs?: number;
  /** Connection attempts for transient errors (refused, reset, timeout). Default 3. */
  attempts?: number;
  /** First retry delay, ms, doubled per attempt. Default 300. */
  backoffMs?: number;
  /** A connection unused this long is closed, so a process does not wait on idle sockets. Default 5 000. */
  idleMs?: number;
}

/** What a remote command printed and how it ended. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TRANSIENT = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN"]);

function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; level?: unknown; message?: string };
  if (typeof e.code === "string" && TRANSIENT.has(e.code)) return true;
  return /Timed out while waiting for handshake|Connection lost before handshake|socket hang up/i.test(e.message ?? "");
}

/** A counting semaphore: at most `size` holders at once, the rest wait in order. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async take(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}

/** One open connection to a target: run commands, upload files over SFTP. */
export class SshSession {
  private sftpP?: Promise<SFTPWrapper>;
  /** Set once the connection closed or failed; every later call fails with it. */
  lost?: RemoteError;
  /** Callers inside withSession right now; the connection closes when idle long enough. */
  users = 0;
  idleTimer?: NodeJS.Timeout;

  /** Rejects once the connection is lost, so no operation waits forever on a dead socket. */
  private readonly lostP: Promise<never>;
  private rejectLost!: (e: RemoteError) => void;

  constructor(
    readonly target: SshTarget,
    private readonly client: Client,
    private readonly commandTimeoutMs: number,
  ) {
    this.lostP = new Promise<never>((_, reject) => (this.rejectLost = reject));
    this.lostP.catch(() => undefined);
  }

  /** Records that the connection is gone; every pending and later operation fails with `err`. */
  markLost(err: RemoteError): void {
    if (this.lost) return;
    this.lost = err;
    clearTimeout(this.idleTimer);
    this.rejectLost(err);
  }

  private where(): string {
    return `${this.target.label} (${this.target.user}@${this.target.host}:${this.target.port})`;
  }

  /** Runs `command` through the remote shell; resolves with its exit code and output, whatever the code. */
  exec(command: string, opts: { stdin?: string | Buffer; timeoutMs?: number } = {}): Promise<ExecResult> {
    if (this.lost) return Promise.reject(this.lost);
    return Promise.race([this.execOnce(command, opts), this.lostP]);
  }

  private execOnce(command: string, opts: { stdin?: string | Buffer; timeoutMs?: number }): Promise<ExecResult> {
    const limit = opts.timeoutMs ?? this.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) return reject(new RemoteError("ssh.exec", `${this.where()}: cannot run a command: ${err.message}`, true));
        const out: Buffer[] = [], errs: Buffer[] = [];
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          stream.close();
          reject(new RemoteError("ssh.timeout", `${this.where()}: command did not finish within ${Math.round(limit / 1000)}s: ${command.slice(0, 80)}`));
        }, limit);
        // A lost connection rejects through lostP; the timer must not keep the process alive after it.
        this.lostP.catch(() => clearTimeout(timer));
        stream.on("data", (d: Buffer) => out.push(d));
        stream.stderr.on("data", (d: Buffer) => errs.push(d));
        stream.on("close", (code: number | null, signal?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (code === null || code === undefined) {
            // No exit status: the command was killed or the connection went away under it.
            return reject(this.lost ?? new RemoteError("ssh.connection-lost", `${this.where()}: command ended without an exit status${signal ? ` (signal ${signal})` : ""}: ${command.slice(0, 80)}`));
          }
          resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errs).toString("utf8") });
        });
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else stream.end();
      });
    });
  }

  /** The SFTP channel, opened once per connection. */
  sftp(): Promise<SFTPWrapper> {
    if (this.lost) return Promise.reject(this.lost);
    this.sftpP ??= Promise.race([
      new Promise<SFTPWrapper>((resolve, reject) => {
        this.client.sftp((err, s) => (err ? reject(new RemoteError("ssh.sftp", `${this.where()}: SFTP unavailable: ${err.message}`)) : resolve(s)));
      }),
      this.lostP,
    ]);
    return this.sftpP;
  }

  /** Writes `data` to `remotePath` over SFTP (creating parent folders relative to the login directory), with `mode`. */
  async upload(data: Buffer | AsyncIterable<Buffer>, remotePath: string, mode = 0o644): Promise<void> {
    const s = await this.sftp();
    const parts = remotePath.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!dir) continue;
      await new Promise<void>((resolve) => s.mkdir(dir, () => resolve())); // exists already: fine
    }
    const written = new Promise<void>((resolve, reject) => {
      const w = s.createWriteStream(remotePath, { mode });
      const fail = (e: Error): void => reject(this.lost ?? new RemoteError("ssh.upload", `${this.where()}: upload of ${remotePath} failed: ${e.message}`));
      w.on("error", fail);
      w.on("close", () => resolve());
      (async () => {
        if (Buffer.isBuffer(data)) w.end(data);
        else {
          for await (const chunk of data) {
            if (this.lost) throw this.lost;
            if (!w.write(chunk)) await Promise.race([new Promise((r) => w.once("drain", r)), this.lostP]);
          }
          w.end();
        }
      })().catch(fail);
    });
    await Promise.race([written, this.lostP]);
  }

  /** Closes the connection. */
  close(): void {
    this.markLost(new RemoteError("ssh.closed", `${this.where()}: connection closed by bootplan`));
    this.client.end();
  }
}

/** A bounded pool of SSH connections for one run; close it when the run ends. */
export class SshPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();
  private readonly slots: Slots;
  readonly options: Required<PoolOptions>;

  constructor(opts: PoolOptions = {}) {
    this.options = { concurrency: 16, connectTimeoutMs: 10_000, commandTimeoutMs: 120_000, attempts: 3, backoffMs: 300, idleMs: 5_000, ...opts };
    this.slots = new Slots(Math.max(1, this.options.concurrency));
  }

  /** Runs `fn` with a session to `target`, holding one of the pool's slots while it runs. */
  async withSession<T>(target: SshTarget, fn: (s: SshSession) => Promise<T>): Promise<T> {
    await this.slots.take();
    let session: SshSession | undefined;
    try {
      session = await this.session(target);
      session.users++;
      return await fn(session);
    } finally {
      if (session) this.release(target, session);
      this.slots.give();
    }
  }

  private release(target: SshTarget, s: SshSession): void {
    if (--s.users > 0) return;
    clearTimeout(s.idleTimer);
    s.idleTimer = setTimeout(() => {
      if (s.users > 0) return;
      const key = `${target.user}@${target.host}:${target.port}`;
      void this.sessions.get(key)?.then((cur) => cur === s && this.sessions.delete(key), () => undefined);
      s.close();
    }, this.options.idleMs);
    s.idleTimer.unref();
  }

  /** The pooled session to `target`, connecting (with retries for transient errors) when none is open. */
  session(target: SshTarget): Promise<SshSession> {
    const key = `${target.user}@${target.host}:${target.port}`;
    let p = this.sessions.get(key);
    if (!p) {
      p = this.connectWithRetry(target);
      this.sessions.set(key, p);
      p.then((s) => s, () => this.sessions.delete(key));
    }
    return p.then((s) => {
      if (!s.lost) return s;
      this.sessions.delete(key);
      return this.session(target);
    });
  }

  private async connectWithRetry(target: SshTarget): Promise<SshSession> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connect(target);
      } catch (err) {
        if (!(err instanceof RemoteError && err.transient) || attempt >= this.options.attempts) throw err;
        await new Promise((r) => setTimeout(r, this.options.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }

  private connect(target: SshTarget): Promise<SshSession> {
    const where = `${target.label} (${target.user}@${target.host}:${target.port})`;
    return new Promise((resolve, reject) => {
      const client = newClient();
      let hostKeyFailure: HostKeyError | undefined;
      let session: SshSession | undefined;
      const cfg: ConnectConfig = {
        host: target.host, port: target.port, username: target.user,
        privateKey: target.privateKey, passphrase: target.passphrase, password: target.password,
        readyTimeout: this.options.connectTimeoutMs,
        keepaliveInterval: 15_000, keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const bad = checkHostKey(where, key, target.hostKeys, `bootplan ssh-keyscan ${target.label}`);
          if (bad) hostKeyFailure = new HostKeyError(bad.message, bad.expected, bad.offered);
          return !bad;
        },
      };
      const algos = pinnedAlgorithms(target.hostKeys);
      if (algos.length) cfg.algorithms = { serverHostKey: algos as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] };
      client.on("ready", () => {
        session = new SshSession(target, client, this.options.commandTimeoutMs);
        resolve(session);
      });
      client.on("error", (err: Error & { level?: string; code?: string }) => {
        if (session) {
          session.markLost(new RemoteError("ssh.connection-lost", `${where}: connection lost: ${err.message}`));
          return;
        }
        if (hostKeyFailure) return reject(hostKeyFailure);
        if (err.level === "client-authentication") return reject(new RemoteError("ssh.auth", `${where}: authentication failed (the key or password was refused)`));
        reject(new RemoteError("ssh.connect", `${where}: cannot connect: ${err.message}`, isTransient(err)));
      });
      client.on("close", () => {
        if (session) session.markLost(new RemoteError("ssh.connection-lost", `${where}: connection lost (closed by the peer or the network)`));
        else reject(hostKeyFailure ?? new RemoteError("ssh.connect", `${where}: connection closed during the handshake`, true));
      });
      try {
        client.connect(cfg);
      } catch (err) {
        reject(new RemoteError("ssh.connect", `${where}: ${(err as Error).message}`));
      }
    });
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) {
      try {
        (await p).close();
      } catch {
        /* never connected: nothing to close */
      }
    }
  }
}

/** Reads the host key `host:port` offers, without authenticating (for `bootplan ssh-keyscan`). */
export function scanHostKey(host: string, port: number, timeoutMs = 10_000): Promise<{ type: string; blob: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const client = newClient();
    let seen: Buffer | undefined;
    const done = (): void => {
      client.end();
      if (!seen) return reject(new RemoteError("ssh.connect", `${host}:${port}: no host key received`));
      const blob = seen.toString("base64");
      const n = seen.readUInt32BE(0);
      resolve({ type: seen.subarray(4, 4 + n).toString("latin1"), blob, fingerprint: fingerprint(seen) });
    };
    client.on("error", (err: Error) => (seen ? done() : reject(new RemoteError("ssh.connect", `${host}:${port}: cannot connect: ${err.message}`, isTransient(err)))));
    client.connect({
      host, port, username: "bootplan-keyscan", readyTimeout: timeoutMs,
      // Refusing the key ends the handshake before any authentication is attempted.
      hostVerifier: (key: Buffer) => {
        seen = key;
        setImmediate(done);
        return false;
      },
    });
  });
}
