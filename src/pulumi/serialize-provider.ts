/** Providers serialized exactly as `pulumi.dynamic.Resource` serializes them into its `__provider` input. */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BootplanProvider } from "../providers/types.js";

const require = createRequire(import.meta.url);

interface SerializedFunction {
  text: string;
}
type SerializeFunction = (fn: () => unknown, opts: { allowSecrets: boolean }) => Promise<SerializedFunction>;

/**
 * The module text Pulumi's dynamic-provider host loads with `require-from-string(text).handler()`:
 * `serializeFunction(() => provider, { allowSecrets: true })`, the call `pulumi.dynamic.Resource`
 * makes (loaded from the same module it loads, so no more of the Pulumi SDK than it needs).
 */
export async function serializeProvider(provider: BootplanProvider): Promise<string> {
  const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure") as { serializeFunction: SerializeFunction };
  return (await serializeFunction(() => provider, { allowSecrets: true })).text;
}

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

/** Where the build keeps every provider serialized ahead of time (the serializer loads TypeScript: seconds per run). */
export const PREBUILT_FILE = join(DIST, "pulumi/providers.serialized.json");

/** What the prebuilt texts were made from: the compiled providers and the Pulumi SDK's version. */
export function providersFingerprint(): string {
  const h = createHash("sha256").update((require("@pulumi/pulumi/package.json") as { version: string }).version);
  const dir = join(DIST, "providers");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".js")).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest("hex");
}

/** The prebuilt serialized providers by kind, or none when missing or made from other sources. */
export function prebuiltProviders(): Record<string, string> {
  if (!existsSync(PREBUILT_FILE)) return {};
  const doc = JSON.parse(readFileSync(PREBUILT_FILE, "utf8")) as { fingerprint: string; kinds: Record<string, string> };
  return doc.fingerprint === providersFingerprint() ? doc.kinds : {};
}
