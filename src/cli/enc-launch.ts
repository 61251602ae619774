/**
 * How the launcher runs `bootplan enc`: the bundled quick path first (enc-quick), then the enc command
 * without the CLI framework (enc-fast); undefined sends the arguments to the full CLI.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runCachedScript } from "../util/cached-script.js";

/** Where the build writes the quick path's bundle; a build without esbuild has none, and enc-quick runs as modules. */
export const ENC_BUNDLE = fileURLToPath(new URL("./enc-quick.bundle.cjs", import.meta.url));

type EncRunner = (args: string[]) => Promise<number | undefined>;

/** Runs `enc` with `args` (the words after enc); undefined when the full CLI must. */
export async function runEnc(args: string[]): Promise<number | undefined> {
  const encQuick = existsSync(ENC_BUNDLE) ? (runCachedScript(ENC_BUNDLE).exports.encQuick as EncRunner) : (await import("./enc-quick.js")).encQuick;
  return (await encQuick(args)) ?? (await import("./enc-fast.js")).encFast(args);
}
