/**
 * bootplan serve: the provisioning server of one stack. HTTP (fastify) for what apply wrote, and a
 * supervised dnsmasq for TFTP/DHCP from the rendered configuration; both stop together.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ServeError, UsageError } from "../errors.js";
import { LOADERS } from "../graph/serve.js";
import { loadersHandedOut } from "../render/dnsmasq.js";
import { stateKey } from "../secrets/secrets.js";
import type { Stack } from "../model/stack.js";
import { DEFAULT_SERVE } from "../stack/serve-settings.js";
import type { StateBackend } from "../state/backend.js";
import type { StateStore } from "../state/types.js";
import { installDone } from "./callback.js";
import { DnsmasqSupervisor, findDnsmasq, testDnsmasqConfig } from "./dnsmasq.js";
import { buildHttpServer } from "./http.js";
import { systemLookup } from "./who.js";

/** How to serve. */
export interface ServeOptions {
  /** HOST:PORT to listen on; the host and port of the stack's server.url when absent. */
  listen?: string;
  /** Start dnsmasq (TFTP/DHCP); false serves HTTP only. */
  dnsmasq: boolean;
  /** An extra interface for dnsmasq to bind (one serve instance per network). */
  interface?: string;
  /** The dnsmasq binary (tests); found in the usual places otherwise. */
  dnsmasqBinary?: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** What serve works from: the loaded stack, its state and the secret values its files need (a CLI session). */
export interface ServeSession {
  stack: Stack;
  /** The stack's state backend (file or PostgreSQL): its store and its lock. */
  backend: StateBackend;
  store: StateStore;
  secrets: Record<string, string>;
}

/** Runs `fn` holding the state lock, as apply does; waits up to 30 s for an apply in progress. */
async function underLock<T>(backend: StateBackend, command: string, fn: () => Promise<T>): Promise<T> {
  const lock = await backend.lock(command, { timeoutMs: 30_000 });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** A running server. */
export interface RunningServer {
  /** The URL HTTP listens on. */
  url: string;
  dnsmasqPid?: number;
  stop(): Promise<void>;
}

/** The host and port to listen on: `--listen`, else those of server.url (port 80/443 by scheme). */
export function listenAddress(listen: string | undefined, serverUrl: string): { host: string; port: number } {
  if (listen) {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535) throw new UsageError(`--listen expects HOST:PORT (e.g. 0.0.0.0:8080), got ${JSON.stringify(listen)}`);
    return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
  }
  const u = new URL(serverUrl);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80 };
}

/** Refuses to hand out a loader that apply could not copy (its Debian package is missing). */
function checkLoaders(root: string, handedOut: string[]): void {
  for (const rel of handedOut) {
    if (existsSync(join(root, "tftp", rel))) continue;
    const spec = LOADERS[rel];
    const pkg = spec ? `install the Debian package ${spec.package} (apt-get install ${spec.package}) and run bootplan apply` : "run bootplan apply";
    throw new ServeError("serve.missing-loader", `boot loader tftp/${rel} is missing from the provisioning root: ${pkg}; or run bootplan serve --no-dnsmasq to serve HTTP only`);
  }
}

/** Starts serving a session's stack; resolves once HTTP listens and dnsmasq runs. */
export async function startServer(s: ServeSession, opts: ServeOptions): Promise<RunningServer> {
  const { stack } = s;
  const root = stack.provisioningRoot;
  const settings = stack.serve ?? DEFAULT_SERVE;
  const { host, port } = listenAddress(opts.listen, stack.server.url);
  let dnsmasq: DnsmasqSupervisor | undefined;
  if (opts.dnsmasq) {
    const conf = join(root, "dnsmasq", "dnsmasq.conf");
    if (!existsSync(conf)) throw new ServeError("serve.not-applied", `${conf} does not exist: run bootplan apply first`);
    checkLoaders(root, settings.dhcp === "none" ? [] : loadersHandedOut(settings));
    const binary = findDnsmasq(opts.dnsmasqBinary);
    testDnsmasqConfig(binary, conf);
    dnsmasq = new DnsmasqSupervisor({ binary, confFile: conf, tftpRoot: join(root, "tftp"), interface: opts.interface, log: opts.log });
  }
  const key = stateKey(stack.state.path, opts.env);
  const app = buildHttpServer({
    root,
    stack: stack.name,
    systemOf: systemLookup(stack),
    log: opts.log,
    installDone: (system, token) =>
      installDone(
        { stack, store: s.store, key, secrets: s.secrets, withLock: (fn) => underLock(s.backend, `bootplan serve (install-done ${system})`, fn) },
        system,
        token,
      ),
  });
  try {
    await app.listen({ host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new ServeError("serve.listen", `cannot listen on ${host}:${port} (${code}): ${code === "EADDRNOTAVAIL" ? "no interface has that address here; " : ""}pass --listen HOST:PORT`);
  }
  try {
    await dnsmasq?.start();
  } catch (err) {
    await app.close();
    throw err;
  }
  const a = app.server.address();
  const url = typeof a === "object" && a ? `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}` : `http://${host}:${port}`;
  return {
    url,
    dnsmasqPid: dnsmasq?.pid,
    async stop() {
      await Promise.all([app.close(), dnsmasq?.stop()]);
    },
  };
}
