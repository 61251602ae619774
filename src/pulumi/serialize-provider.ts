/** A provider serialized exactly as `pulumi.dynamic.Resource` serializes it into its `__provider` input. */
import { createRequire } from "node:module";
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
