/**
 * What goes over the wire to Pulumi's dynamic-provider host, encoded as Pulumi's engine encodes it:
 * URNs, properties as `google.protobuf.Struct`, the serialized provider in `__provider`, secrets as
 * Pulumi secret values when the host accepts them (plain otherwise, as the engine sends them then).
 */
import { createRequire } from "node:module";
import type { Struct as StructMessage } from "google-protobuf/google/protobuf/struct_pb.js";
import { SECRET_INPUT } from "../../providers/types.js";

const require = createRequire(import.meta.url);
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb.js");
const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };

type Props = Record<string, unknown>;

/** The input under which `pulumi.dynamic.Resource` ships its serialized provider. */
export const PROVIDER_KEY = "__provider";

/** The Pulumi project bootplan's resources belong to, in URNs. */
export const PROJECT = "bootplan";

/** The Pulumi type of a bootplan resource kind, as `pulumi.dynamic.Resource` forms it (module `bootplan`). */
export function resourceType(kind: string): string {
  return `pulumi-nodejs:dynamic/bootplan:${kind}`;
}

/** The Pulumi URN of a bootplan resource: its address is the resource name. */
export function resourceUrn(stack: string, kind: string, address: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::${resourceType(kind)}::${address}`;
}

/**
 * Inputs that exist only while a provider runs (`__provider`, `__secrets`, and any other `__` key a
 * provider is handed at run time): forwarded to the provider, never recorded.
 */
export function isRuntimeOnly(key: string): boolean {
  return key.startsWith("__");
}

/** A value wrapped as a Pulumi secret, as the engine marshals it with KeepSecrets. */
export function pulumiSecret(value: unknown): Props {
  return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

/** True for a value in Pulumi's secret encoding. */
export function isPulumiSecret(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Props)[rpc.specialSigKey] === rpc.specialSecretSig;
}

/** Drops undefined members (as JSON does), which Struct cannot carry. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : plain(x)));
  if (v && typeof v === "object") {
    const out: Props = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
    return out;
  }
  return v;
}

/**
 * Encodes a provider's properties for the host: with the serialized provider, and the secret values
 * as Pulumi secrets when `acceptSecrets` (the host's ConfigureResponse says so), plain otherwise.
 */
export function encodeProps(props: Props, providerText: string, acceptSecrets: boolean): StructMessage {
  const wire = plain(props) as Props;
  if (acceptSecrets && SECRET_INPUT in wire) wire[SECRET_INPUT] = pulumiSecret(wire[SECRET_INPUT]);
  wire[PROVIDER_KEY] = providerText;
  return Struct.fromJavaScript(wire as never);
}

/** The arguments of Configure for a provider without configuration (bootplan's have none). */
export function emptyConfig(): StructMessage {
  return Struct.fromJavaScript({});
}

/** Decodes properties the host returned, without the runtime-only keys (provider text, secret values). */
export function decodeProps(s: StructMessage | undefined): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(s?.toJavaScript() ?? {})) if (!isRuntimeOnly(k)) out[k] = isPulumiSecret(v) ? v.value : v;
  return out;
}
