/** loadStack: the one entry point from a stack directory to a validated, resolved Stack. */
import type { Stack } from "../model/stack.js";
import { readRawStack } from "./raw.js";
import { resolveStack } from "./resolve.js";

/** Loads, validates and resolves the stack in `dir`; throws StackErrors (nothing written) when invalid. */
export function loadStack(dir: string, opts: { displayBase?: string } = {}): Stack {
  return resolveStack(readRawStack(dir, opts.displayBase));
}
