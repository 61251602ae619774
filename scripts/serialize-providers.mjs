// Build step (after tsc): serializes every provider as pulumi.dynamic.Resource does, with the same
// function the pulumi-host executor uses at run time, into dist/pulumi/providers.serialized.json.
// The executor uses these texts only while their fingerprint matches the compiled providers.
import { writeFileSync } from "node:fs";
import { PREBUILT_FILE, providersFingerprint, serializeProvider } from "../dist/pulumi/serialize-provider.js";
import { PROVIDERS } from "../dist/providers/index.js";

const kinds = {};
for (const [kind, provider] of Object.entries(PROVIDERS)) kinds[kind] = await serializeProvider(provider);
writeFileSync(PREBUILT_FILE, JSON.stringify({ fingerprint: providersFingerprint(), kinds }, null, 1) + "\n");
