/**
 * The SSH pool and the helper upload against a real OpenSSH server on 127.0.0.1: pinned keys from a
 * known_hosts file written by the real ssh-keyscan, upload with sha256 verification (and repair of a
 * tampered copy), the concurrency bound, retry of a refused connection, timeouts, refused logins.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostKeyError, RemoteError } from "../../../src/remote/errors.js";
import { helperScript, remoteSha256, runHelper } from "../../../src/remote/helper.js";
import { keysFromKnownHosts, parseKeyLine, type PinnedKey } from "../../../src/remote/host-keys.js";
import { SshPool, scanHostKey, type SshTarget } from "../../../src/remote/pool.js";
import { describeWithSshd, freePort, startSshd, type TestSshd } from "../../helpers/sshd.js";

describeWithSshd("SSH pool and helper upload (real sshd on 127.0.0.1)", () => {
  let sshd: TestSshd;
  let work: string;
  let target: SshTarget;
  beforeAll(async () => {
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), "bootplan-pool-"));
    target = { label: "system.t", host: "127.0.0.1", port: sshd.port, user: sshd.user, privateKey: sshd.clientKey, hostKeys: [parseKeyLine(sshd.hostKeyLine, "hostKey") as PinnedKey] };
  });
  afterAll(async () => {
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("connects with the key a real ssh-keyscan wrote into a hashed known_hosts file", async () => {
    const scan = spawnSync("ssh-keyscan", ["-H", "-t", "ed25519", "-p", String(sshd.port), "127.0.0.1"], { encoding: "utf8" });
    expect(scan.status).toBe(0);
    const pins = keysFromKnownHosts(scan.stdout, "127.0.0.1", sshd.port, "known_hosts");
    expect(pins).toHaveLength(1);
    const pool = new SshPool();
    try {
      const r = await pool.withSession({ ...target, hostKeys: pins }, (s) => s.exec("echo hello; echo oops >&2; exit 3"));
      expect(r).toEqual({ code: 3, stdout: "hello\n", stderr: "oops\n" });
      expect(await scanHostKey("127.0.0.1", sshd.port)).toMatchObject({ type: "ssh-ed25519", blob: sshd.hostKeyLine.split(" ")[1] });
    } finally {
      await pool.close();
    }
  });

  it("uploads the helper over SFTP, verifies its sha256 there, and replaces a tampered copy before running it", async () => {
    const dir = join(work, "helper");
    const pool = new SshPool();
    try {
      const v = await pool.withSession(target, (s) => runHelper<{ version: string }>(s, ["version"], { dir }));
      expect(v.version).toBe(helperScript().version);
      const path = join(dir, helperScript().fileName);
      expect(readdirSync(dir)).toEqual([helperScript().fileName]); // no upload leftovers
      expect(await pool.withSession(target, (s) => remoteSha256(s, path))).toBe(helperScript().sha256);
      writeFileSync(path, "#!/bin/sh\necho '{\"version\":\"evil\"}'\n");
      const again = await new SshPool().withSession(target, (s) => runHelper<{ version: string }>(s, ["version"], { dir }));
      expect(again.version).toBe(helperScript().version);
      expect(readFileSync(path)).toEqual(helperScript().bytes);
    } finally {
      await pool.close();
    }
  });

  it("reuses one connection per target and never works on more targets at once than its concurrency", async () => {
    const pool = new SshPool({ concurrency: 2 });
    let now = 0, max = 0;
    try {
      const pids = await Promise.all(Array.from({ length: 6 }, () => pool.withSession(target, async (s) => {
        max = Math.max(max, ++now);
        const r = await s.exec("sleep 0.2; echo $PPID");
        now--;
        return r.stdout;
      })));
      expect(max).toBe(2);
      expect(new Set(pids).size).toBeGreaterThan(0);
      const sessions = await Promise.all([pool.session(target), pool.session(target)]);
      expect(sessions[0]).toBe(sessions[1]);
    } finally {
      await pool.close();
    }
  });

  it("retries a refused connection with backoff until the server is up", async () => {
    const port = await freePort();
    const pool = new SshPool({ attempts: 10, backoffMs: 100 });
    // The first attempt meets a closed port (ECONNREFUSED); the server comes up while the pool backs off.
    const conn = pool.withSession({ ...target, port }, (s) => s.exec("true"));
    const late = await startSshd({ port, hostKeyFile: join(sshd.dir, "host_ed25519"), clientKeyFile: sshd.clientKeyFile });
    try {
      expect((await conn).code).toBe(0);
    } finally {
      await pool.close();
      await late.stop();
    }
  });

  it("fails fast on a refused key (no retry), and names the target", async () => {
    const other = new SshPool({ attempts: 5, backoffMs: 5000 });
    const key = readFileSync(sshd.clientKeyFile, "utf8");
    const wrong = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, "wrong")]).status === 0 ? readFileSync(join(work, "wrong"), "utf8") : key;
    const err = await other.withSession({ ...target, privateKey: wrong }, async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).code).toBe("ssh.auth");
    expect((err as Error).message).toMatch(/^system\.t \(.*@127\.0\.0\.1:\d+\): authentication failed/);
  });

  it("refuses a host key that is not pinned before authenticating", async () => {
    const pin = parseKeyLine("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "hostKey") as PinnedKey;
    const err = await new SshPool().withSession({ ...target, hostKeys: [pin] }, async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
    expect((err as HostKeyError).offered).toMatch(/^SHA256:/);
  });

  it("times out a handshake that never comes and a command that never ends", async () => {
    const silent = createServer(() => undefined); // accepts, never speaks SSH
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      const err = await new SshPool({ connectTimeoutMs: 300, attempts: 1 }).withSession({ ...target, port }, async () => 1).catch((e: unknown) => e);
      expect((err as RemoteError).code).toBe("ssh.connect");
    } finally {
      silent.close();
    }
    const pool = new SshPool();
    try {
      const err = await pool.withSession(target, (s) => s.exec("sleep 30", { timeoutMs: 300 })).catch((e: unknown) => e);
      expect((err as RemoteError).code).toBe("ssh.timeout");
    } finally {
      await pool.close();
    }
  });
}, describe);
