/**
 * Runs a CommonJS bundle with the V8 code cache the build recorded beside it (`FILE.v8cache`), so a
 * process that lives 30 ms does not spend a third of it compiling. The cache opens with the SHA-256 of
 * the script it was made from and is used only for that script; V8 itself refuses a cache made by
 * another V8 or under other flags. Without a usable cache the script runs all the same, compiled afresh.
 */
import { readFileSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";
import { sha256Hex } from "./hash.js";

/** A bundle run by runCachedScript. */
export interface CachedScript {
  /** What the bundle's `module.exports` holds. */
  exports: Record<string, unknown>;
  /** Whether V8 took the recorded cache. */
  cacheUsed: boolean;
  /** Records the cache of everything compiled so far (the build calls it). */
  recordCache(): void;
}

/** Where the code cache of `file` is kept. */
export const codeCacheFile = (file: string): string => `${file}.v8cache`;

/** Runs the CommonJS file `file` (absolute) with its recorded code cache, when it has one for these bytes. */
export function runCachedScript(file: string): CachedScript {
  const source = readFileSync(file);
  const digest = Buffer.from(sha256Hex(source), "hex");
  let cachedData: Buffer | undefined;
  try {
    const cache = readFileSync(codeCacheFile(file));
    if (cache.subarray(0, digest.length).equals(digest)) cachedData = cache.subarray(digest.length);
  } catch {
    // No cache: compiled afresh.
  }
  const script = new vm.Script(Module.wrap(source.toString("utf8")), { filename: file, cachedData });
  const module = { exports: {} as Record<string, unknown> };
  (script.runInThisContext() as (...a: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheUsed: cachedData !== undefined && !script.cachedDataRejected,
    recordCache: () => writeFileSync(codeCacheFile(file), Buffer.concat([digest, script.createCachedData()])),
  };
}
