/** Facts from many systems at once through the shared pool: each system's facts, or why they could not be read. */
import { describeError } from "../errors.js";
import type { Stack } from "../model/stack.js";
import { gatherFacts, type Facts } from "./facts.js";
import { HostKeyError } from "./errors.js";
import type { SshPool } from "./pool.js";
import { sshTarget } from "./target.js";

/** One system's outcome: its facts, or the one-line error. */
export type FactsOutcome = { system: string; facts: Facts } | { system: string; error: string; hostKey?: HostKeyError };

/** Gathers facts from the named systems (each must have `ssh`), at most the pool's concurrency at once. */
export function gatherFleetFacts(stack: Stack, names: string[], secrets: Record<string, string>, pool: SshPool): Promise<FactsOutcome[]> {
  return Promise.all(names.map(async (name): Promise<FactsOutcome> => {
    const ssh = stack.systems[name].ssh!;
    try {
      const facts = await pool.withSession(sshTarget(`system.${name}`, ssh, secrets), (s) => gatherFacts(s, { dir: ssh.helperDir, sudo: ssh.sudo }));
      return { system: name, facts };
    } catch (err) {
      return { system: name, error: describeError(err), ...(err instanceof HostKeyError ? { hostKey: err } : {}) };
    }
  }));
}
