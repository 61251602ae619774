/** loadStack: the one entry point from a stack directory to a validated, resolved Stack. */
import type { Stack } from "../model/stack.js";
import type { ParseCacheMode } from "./parse-cache.js";
import { readRawStack } from "./raw.js";
import { resolveStack } from "./resolve.js";

/**
 * Loads, validates and resolves the stack in `dir`; throws StackErrors when invalid. Files parsed in an
 * earlier run come from the parse cache beside the state; `cache: "write"` (plan, apply and the commands
 * that share their session) keeps the ones parsed now, otherwise nothing is written.
 */
export function loadStack(dir: string, opts: { displayBase?: string; cache?: ParseCacheMode } = {}): Stack {
  const raw = readRawStack(dir, opts.displayBase, opts.cache);
  const stack = resolveStack(raw);
  raw.parseCache?.flush();
  return stack;
}
