/**
 * A real OpenSSH server for tests: started on 127.0.0.1 on a free port with its own config, a
 * generated host key and one authorised test key, in the foreground (-D -e), stopped by PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where sshd lives on Debian (openssh-server). */
export const SSHD = ["/usr/sbin/sshd", "/usr/bin/sshd"].find((p) => existsSync(p));

/** A running test sshd. */
export interface TestSshd {
  port: number;
  user: string;
  /** `ssh-ed25519 AAAA...` of the server's host key, as a stack pins it. */
  hostKeyLine: string;
  /** The authorised client private key (OpenSSH format) and its file. */
  clientKey: string;
  clientKeyFile: string;
  /** A folder the test owns (config, keys); removed by stop(). */
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function keygen(file: string, type = "ed25519"): void {
  const r = spawnSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "bootplan-test", "-f", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

async function waitListening(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, "127.0.0.1");
      c.once("connect", () => (c.destroy(), resolve(true)));
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within 5s: ${stderr()}`);
}

/** Options: environment for sessions (sshd SetEnv), a fixed host key file to reuse, a fixed port. */
export interface SshdOptions {
  setEnv?: Record<string, string>;
  hostKeyFile?: string;
  /** Authorise this existing client key (private key file; its .pub beside it) instead of a new one. */
  clientKeyFile?: string;
  port?: number;
}

/** Starts sshd; call stop() in teardown. As root it needs /run/sshd (privilege separation), which it creates if missing. */
export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  if (!SSHD) throw new Error("sshd is not installed (apt-get install openssh-server)");
  const dir = mkdtempSync(join(tmpdir(), "bootplan-sshd-"));
  const hostKey = opts.hostKeyFile ?? join(dir, "host_ed25519");
  if (!opts.hostKeyFile) keygen(hostKey);
  const clientKeyFile = opts.clientKeyFile ?? join(dir, "client_ed25519");
  if (!opts.clientKeyFile) keygen(clientKeyFile);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${clientKeyFile}.pub`));
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
  const port = opts.port ?? (await freePort());
  const config = [
    `Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${hostKey}`, `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`, "StrictModes no", "UsePAM no",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password", "Subsystem sftp internal-sftp", "MaxSessions 64", "MaxStartups 512:30:1024",
    "LogLevel ERROR", "UseDNS no", "PrintMotd no", "PrintLastLog no",
    ...(opts.setEnv ? [`SetEnv ${Object.entries(opts.setEnv).map(([k, v]) => `${k}=${v}`).join(" ")}`] : []),
  ];
  writeFileSync(join(dir, "sshd_config"), config.join("\n") + "\n");
  const child = spawn(SSHD, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  await waitListening(port, child, () => err);
  const pub = readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/);
  return {
    port, user: userInfo().username, hostKeyLine: `${pub[0]} ${pub[1]}`,
    clientKey: readFileSync(clientKeyFile, "utf8"), clientKeyFile, dir, pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        process.kill(child.pid!, "SIGTERM");
        await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Generates a host key file (for a test that swaps a server's key). */
export function generateHostKey(dir: string, name = "other_host_ed25519"): string {
  const f = join(dir, name);
  keygen(f);
  return f;
}

/**
 * A describe block that needs sshd and ssh-keygen (openssh-server, openssh-client): skipped locally
 * with a printed reason when missing, failing under CI=true.
 */
export function describeWithSshd(name: string, fn: () => void, describeFn: typeof import("vitest").describe): void {
  const keygenFound = spawnSync("sh", ["-c", "command -v ssh-keygen"]).status === 0;
  const present = !!SSHD && keygenFound;
  if (!present && !process.env.CI) {
    console.log(`skipping "${name}": sshd or ssh-keygen is not installed (apt-get install openssh-server openssh-client)`);
    describeFn.skip(name, fn);
    return;
  }
  describeFn(name, () => {
    if (!present) throw new Error("sshd or ssh-keygen is not installed, and CI must run this test: apt-get install openssh-server openssh-client");
    fn();
  });
}

/** A sandbox root for the helper: the real /proc, /sys and os-release linked in (so facts are the machine's), an empty /boot. */
export function sandboxRoot(parent: string): string {
  const root = join(parent, "target-root");
  mkdirSync(join(root, "etc"), { recursive: true });
  for (const p of ["proc", "sys"]) spawnSync("ln", ["-s", `/${p}`, join(root, p)]);
  if (existsSync("/etc/os-release")) spawnSync("ln", ["-s", "/etc/os-release", join(root, "etc/os-release")]);
  return root;
}
