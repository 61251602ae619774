// Serializes one compiled provider exactly as pulumi.dynamic.Resource does —
// serializeFunction(() => provider, { allowSecrets: true }) — in plain Node (vitest rewrites dynamic
// imports, which Pulumi's serializer must see untouched). Usage: node serialize-provider.mjs KIND OUTFILE
import { writeFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { PROVIDERS } from "../../../dist/providers/index.js";

const [kind, out] = process.argv.slice(2);
const provider = PROVIDERS[kind];
if (!provider) throw new Error(`no provider for ${kind}`);
const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
writeFileSync(out, serialized.text);
