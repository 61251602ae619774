/**
 * The `pulumi-host` executor: every provider operation runs in Pulumi's own dynamic-provider host,
 * driven over its gRPC ResourceProvider protocol the way Pulumi's engine drives it. The engine gets
 * proxies with the provider interface, so plan and apply do not know which executor runs them.
 */
import { createRequire } from "node:module";
import type { ServiceError } from "@grpc/grpc-js";
import type * as pb from "@pulumi/pulumi/proto/provider_pb.js";
import { BootplanError, InternalError, ResourceError } from "../../errors.js";
import { PROVIDERS, providerFor } from "../../providers/index.js";
import type { BootplanProvider } from "../../providers/types.js";
import { prebuiltProviders, serializeProvider } from "../../pulumi/serialize-provider.js";
import { jsonEqual } from "../../util/equal.js";
import type { Executor } from "../types.js";
import { HostProcess } from "./host.js";
import { decodeProps, emptyConfig, encodeProps, isRuntimeOnly, resourceType, resourceUrn } from "./wire.js";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const proto = require("@pulumi/pulumi/proto/provider_pb") as typeof pb;
const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb") as {
  ResourceProviderClient: new (address: string, creds: unknown, options: object) => Client;
};

type Props = Record<string, unknown>;
type Callback<R> = (err: ServiceError | null, res: R) => void;
type Rpc<Q, R> = (req: Q, meta: unknown, opts: { deadline: number }, cb: Callback<R>) => void;
interface Client {
  configure: Rpc<pb.ConfigureRequest, pb.ConfigureResponse>;
  check: Rpc<pb.CheckRequest, pb.CheckResponse>;
  diff: Rpc<pb.DiffRequest, pb.DiffResponse>;
  create: Rpc<pb.CreateRequest, pb.CreateResponse>;
  read: Rpc<pb.ReadRequest, pb.ReadResponse>;
  update: Rpc<pb.UpdateRequest, pb.UpdateResponse>;
  delete: Rpc<pb.DeleteRequest, unknown>;
  close(): void;
}

/** Options of the pulumi-host executor. */
export interface PulumiHostOptions {
  /** The stack's name, for URNs. */
  stack: string;
  /** Host processes to spread calls over (default 1: one warm host). */
  hosts?: number;
  /** Longest a single provider operation may take (default 5 minutes). */
  timeoutMs?: number;
  /** The serialized provider of a kind; default: serialized in this process as pulumi.dynamic.Resource does. */
  serialized?: (kind: string) => Promise<string>;
}

/** A host with its client and what its Configure answered. */
interface Connected {
  host: HostProcess;
  client: Client;
  acceptSecrets: boolean;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function call<Q, R>(c: Connected, method: keyof Client, req: Q, timeoutMs: number): Promise<R> {
  return new Promise((resolve, reject) => {
    const rpc = c.client[method] as unknown as Rpc<Q, R>;
    rpc.call(c.client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Calls Configure as the engine does for a provider with no configuration, and reads what the host accepts. */
async function connect(host: HostProcess, timeoutMs: number): Promise<Connected> {
  const client = new ResourceProviderClient(`127.0.0.1:${host.port}`, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  const c: Connected = { host, client, acceptSecrets: false };
  const req = new proto.ConfigureRequest();
  req.setArgs(emptyConfig());
  req.setAcceptsecrets(true);
  req.setAcceptresources(true);
  req.setSendsOldInputs(true);
  req.setSendsOldInputsToDelete(true);
  const res = await call<pb.ConfigureRequest, pb.ConfigureResponse>(c, "configure", req, timeoutMs);
  c.acceptSecrets = res.getAcceptsecrets();
  return c;
}

/** Maps a failed call to a bootplan error naming the resource: the provider's own message, a timeout, or a dead host. */
function callError(err: unknown, address: string, op: string, c: Connected, timeoutMs: number): BootplanError {
  if (err instanceof BootplanError) return err;
  const e = err as Partial<ServiceError>;
  if (e.code === grpc.status.DEADLINE_EXCEEDED) {
    return new ResourceError(address, `${op} did not finish within ${timeoutMs / 1000} s in Pulumi's dynamic-provider host (pid ${c.host.pid})`, "executor.timeout");
  }
  if (c.host.exit || e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.CANCELLED) {
    const tail = c.host.stderrTail();
    return new ResourceError(address, `Pulumi's dynamic-provider host (pid ${c.host.pid}) ${c.host.exit ? `exited (${c.host.exit})` : "stopped answering"} during ${op}${tail ? `: ${tail}` : ""}`, "executor.host-failed");
  }
  return new ResourceError(address, e.details || e.message || String(err));
}

/** The pulumi-host executor; `close()` stops its hosts. */
export class PulumiHostExecutor implements Executor {
  readonly name = "pulumi-host" as const;
  private readonly texts: Map<string, Promise<string>>;
  private next = 0;

  constructor(
    private readonly hosts: Connected[],
    private readonly opts: PulumiHostOptions,
    serialized: Map<string, Promise<string>> = new Map(),
  ) {
    this.texts = serialized;
  }

  /** The host processes' ids (for tests and --debug). */
  get pids(): number[] {
    return this.hosts.map((h) => h.host.pid);
  }

  private text(kind: string): Promise<string> {
    let t = this.texts.get(kind);
    if (!t) {
      t = serializeKind(kind, this.opts);
      this.texts.set(kind, t);
    }
    return t;
  }

  /** Runs one operation on the next host, mapping failures to errors naming the resource. */
  private async run<R>(address: string, op: string, fn: (c: Connected, text: string) => Promise<R>, kind: string): Promise<R> {
    const c = this.hosts[this.next++ % this.hosts.length];
    try {
      return await fn(c, await this.text(kind));
    } catch (err) {
      throw callError(err, address, op, c, this.timeout);
    }
  }

  private get timeout(): number {
    return this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  provider(kind: string, address?: string): BootplanProvider {
    const self = this;
    const t = this.timeout;
    const name = (props?: Props): string => address ?? `${kind}.${String(props?.name ?? "")}`;
    const target = <Q extends { setUrn(v: string): Q; setName(v: string): Q; setType(v: string): Q }>(req: Q, props?: Props): Q =>
      req.setUrn(resourceUrn(self.opts.stack, kind, name(props))).setName(name(props)).setType(resourceType(kind));
    return {
      async check(olds: Props, news: Props) {
        return self.run(name(news), "check", async (c, text) => {
          const req = target(new proto.CheckRequest(), news).setOlds(encodeProps(olds, text, c.acceptSecrets)).setNews(encodeProps(news, text, c.acceptSecrets));
          const res = await call<pb.CheckRequest, pb.CheckResponse>(c, "check", req, t);
          const failures = res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
          return { inputs: decodeProps(res.getInputs()), ...(failures.length ? { failures } : {}) };
        }, kind);
      },
      async diff(id: string, olds: Props, news: Props) {
        return self.run(name(news), "diff", async (c, text) => {
          const o = encodeProps(olds, text, c.acceptSecrets);
          const req = target(new proto.DiffRequest(), news).setId(id).setOlds(o).setOldInputs(o).setNews(encodeProps(news, text, c.acceptSecrets));
          const res = await call<pb.DiffRequest, pb.DiffResponse>(c, "diff", req, t);
          const Changes = proto.DiffResponse.DiffChanges;
          const replaces = res.getReplacesList();
          // DIFF_UNKNOWN: the engine compares the inputs itself.
          const changes = res.getChanges() === Changes.DIFF_SOME || (res.getChanges() === Changes.DIFF_UNKNOWN && !sameInputs(olds, news));
          return { changes, replaces, deleteBeforeReplace: res.getDeletebeforereplace(), stables: res.getStablesList() };
        }, kind);
      },
      async create(inputs: Props) {
        return self.run(name(inputs), "create", async (c, text) => {
          const req = target(new proto.CreateRequest(), inputs).setProperties(encodeProps(inputs, text, c.acceptSecrets)).setTimeout(t / 1000);
          const res = await call<pb.CreateRequest, pb.CreateResponse>(c, "create", req, t);
          return { id: res.getId(), outs: decodeProps(res.getProperties()) };
        }, kind);
      },
      async read(id: string, props?: Props) {
        return self.run(name(props), "read", async (c, text) => {
          const p = encodeProps(props ?? {}, text, c.acceptSecrets);
          const req = target(new proto.ReadRequest(), props).setId(id).setProperties(p).setInputs(p).setTimeout(t / 1000);
          const res = await call<pb.ReadRequest, pb.ReadResponse>(c, "read", req, t);
          return { id: res.getId(), props: decodeProps(res.getProperties()) };
        }, kind);
      },
      async update(id: string, olds: Props, news: Props) {
        return self.run(name(news), "update", async (c, text) => {
          const o = encodeProps(olds, text, c.acceptSecrets);
          const req = target(new proto.UpdateRequest(), news).setId(id).setOlds(o).setOldInputs(o).setNews(encodeProps(news, text, c.acceptSecrets)).setTimeout(t / 1000);
          const res = await call<pb.UpdateRequest, pb.UpdateResponse>(c, "update", req, t);
          return { outs: decodeProps(res.getProperties()) };
        }, kind);
      },
      async delete(id: string, props: Props) {
        await self.run(name(props), "delete", async (c, text) => {
          const p = encodeProps(props, text, c.acceptSecrets);
          const req = target(new proto.DeleteRequest(), props).setId(id).setProperties(p).setOldInputs(p).setTimeout(t / 1000);
          await call<pb.DeleteRequest, unknown>(c, "delete", req, t);
        }, kind);
      },
    };
  }

  async close(): Promise<void> {
    for (const c of this.hosts) c.client.close();
    await Promise.all(this.hosts.map((c) => c.host.stop()));
  }
}

/**
 * The serialized provider of a kind: the build's text when it was made from these very providers,
 * else serialized now. An unknown kind fails here, as it does in-process.
 */
function serializeKind(kind: string, opts: PulumiHostOptions, prebuilt: Record<string, string> = {}): Promise<string> {
  const provider = providerFor(kind);
  if (opts.serialized) return opts.serialized(kind);
  return prebuilt[kind] !== undefined ? Promise.resolve(prebuilt[kind]) : serializeProvider(provider);
}

/** Inputs equal apart from runtime-only keys. */
function sameInputs(a: Props, b: Props): boolean {
  const strip = (p: Props): Props => Object.fromEntries(Object.entries(p).filter(([k]) => !isRuntimeOnly(k)));
  return jsonEqual(strip(a), strip(b));
}

/**
 * Starts the host processes and configures them. The host needs an engine address as its argument;
 * this host version never dials it (it reads none of the engine's services for dynamic providers).
 */
export async function openPulumiHostExecutor(opts: PulumiHostOptions): Promise<PulumiHostExecutor> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const starting = Promise.allSettled(Array.from({ length: Math.max(1, opts.hosts ?? 1) }, () => HostProcess.start({ engineAddress: "127.0.0.1:0" })));
  // Serializing (here) overlaps the hosts' start (there): both load much of the Pulumi SDK.
  const prebuilt = opts.serialized ? {} : prebuiltProviders();
  const serialized = new Map(Object.keys(PROVIDERS).map((kind) => [kind, serializeKind(kind, opts, prebuilt)]));
  for (const t of serialized.values()) t.catch(() => {}); // surfaced by the first call that needs it
  const started = await starting;
  const hosts = started.filter((s): s is PromiseFulfilledResult<HostProcess> => s.status === "fulfilled").map((s) => s.value);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(hosts.map((h) => h.stop()));
    throw failed.reason;
  }
  try {
    return new PulumiHostExecutor(await Promise.all(hosts.map((h) => connect(h, timeoutMs))), opts, serialized);
  } catch (err) {
    await Promise.all(hosts.map((h) => h.stop()));
    throw new InternalError(`configuring Pulumi's dynamic-provider host failed: ${(err as Error).message}`);
  }
}
