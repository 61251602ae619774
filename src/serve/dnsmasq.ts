/**
 * Runs Debian's dnsmasq with the configuration bootplan rendered: checked with `dnsmasq --test` first,
 * kept in the foreground as a child, its log lines passed on, restarted (a few times, with a pause)
 * when it dies on its own, and stopped by PID with bootplan serve.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import { ServeError } from "../errors.js";

/** Where dnsmasq is looked for when no path is given. */
export const DNSMASQ_CANDIDATES = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"];

/** How to run dnsmasq. */
export interface DnsmasqOptions {
  /** The dnsmasq binary; found in the usual places when absent. */
  binary?: string;
  confFile: string;
  /** The root's tftp/ (absolute), which the rendered file leaves out. */
  tftpRoot: string;
  /** Extra interface to bind (several serve instances, one per network). */
  interface?: string;
  log: (line: string) => void;
  /** Restarts allowed after unexpected exits before serve gives up. */
  maxRestarts?: number;
}

/** The dnsmasq binary, or a ServeError saying how to get one. */
export function findDnsmasq(binary?: string, exists: (p: string) => boolean = defaultExists): string {
  if (binary) return binary;
  const found = DNSMASQ_CANDIDATES.find(exists);
  if (!found) throw new ServeError("serve.no-dnsmasq", "dnsmasq is not installed: apt-get install dnsmasq (Debian's package), or run bootplan serve --no-dnsmasq and point an existing DHCP/TFTP server at the root");
  return found;
}

function defaultExists(p: string): boolean {
  return spawnSync("test", ["-x", p]).status === 0;
}

/** Checks a configuration with `dnsmasq --test`; throws with dnsmasq's own words when it is refused. */
export function testDnsmasqConfig(binary: string, confFile: string): void {
  const r = spawnSync(binary, ["--test", `--conf-file=${confFile}`], { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) {
    const why = `${r.stderr ?? ""}${r.stdout ?? ""}`.trim().split("\n")[0] || r.error?.message || `exit ${r.status}`;
    throw new ServeError("serve.dnsmasq-config", `dnsmasq refuses ${confFile}: ${why}`);
  }
}

/** A supervised dnsmasq child. */
export class DnsmasqSupervisor {
  private child?: ChildProcess;
  private stopping = false;
  private restarts = 0;
  private exited?: Promise<void>;

  constructor(private readonly opts: DnsmasqOptions & { binary: string }) {}

  /** The running child's PID. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts dnsmasq; resolves once it is spawned, rejects when it dies at once (a port in use, a bad interface). */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const args = [
        "--keep-in-foreground", `--conf-file=${this.opts.confFile}`, `--tftp-root=${this.opts.tftpRoot}`, "--log-facility=-", "--log-dhcp", "--pid-file=",
        // As the user running serve, who can read the root (dnsmasq would otherwise become nobody).
        `--user=${userInfo().username}`,
        ...(this.opts.interface ? [`--interface=${this.opts.interface}`] : []),
      ];
      const child = spawn(this.opts.binary, args, { stdio: ["ignore", "pipe", "pipe"] });
      this.child = child;
      let early = true;
      const tail: string[] = [];
      for (const s of [child.stdout, child.stderr]) {
        createInterface({ input: s }).on("line", (l) => {
          tail.push(l);
          if (tail.length > 5) tail.shift();
          this.opts.log(`dnsmasq[${child.pid}]: ${l}`);
        });
      }
      child.on("error", (err) => reject(new ServeError("serve.dnsmasq-start", `cannot start ${this.opts.binary}: ${err.message}`)));
      this.exited = new Promise((done) =>
        child.on("exit", (code, signal) => {
          done();
          if (early) {
            reject(new ServeError("serve.dnsmasq-exit", `dnsmasq exited at once (${signal ?? `exit ${code}`}): ${tail.at(-1) ?? "no message"}`));
            return;
          }
          if (this.stopping) return;
          this.opts.log(`dnsmasq[${child.pid}] exited unexpectedly (${signal ?? `exit ${code}`})`);
          this.restart();
        }),
      );
      // dnsmasq that is still up after a moment has bound its sockets.
      setTimeout(() => {
        early = false;
        if (child.exitCode === null && child.signalCode === null) resolve();
      }, 500).unref();
    });
  }

  private restart(): void {
    const max = this.opts.maxRestarts ?? 5;
    if (++this.restarts > max) {
      this.opts.log(`dnsmasq died ${this.restarts} times: giving up (bootplan serve keeps serving HTTP)`);
      return;
    }
    setTimeout(() => {
      if (this.stopping) return;
      this.opts.log(`restarting dnsmasq (${this.restarts}/${max})`);
      this.start().catch((err) => this.opts.log((err as Error).message));
    }, 1000 * this.restarts).unref();
  }

  /** Stops dnsmasq (SIGTERM to its PID, SIGKILL after 5 s) and waits for it. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
