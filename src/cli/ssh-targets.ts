/** What the SSH-using commands share: finding a system with ssh, reading its secrets, the shared pool's limits. */
import { UsageError } from "../errors.js";
import type { Stack } from "../model/stack.js";
import { readSecrets } from "../secrets/secrets.js";
import { sshSecretNames } from "../remote/target.js";
import type { CliConfig } from "./options.js";
import type { Io } from "./output.js";

/** The name of the system `address` names, which must declare `ssh:`; a usage error otherwise. */
export function systemWithSsh(stack: Stack, address: string, command: string): string {
  const m = /^system\.(.+)$/.exec(address);
  if (!m) throw new UsageError(`${command}: expected a system address like system.web01, got ${JSON.stringify(address)}`);
  const sys = stack.systems[m[1]];
  if (!sys) throw new UsageError(`${command}: no system named ${JSON.stringify(m[1])} in stack ${stack.name} (systems: ${Object.keys(stack.systems).join(", ") || "none"})`);
  if (!sys.ssh) throw new UsageError(`${command}: system.${m[1]} has no ssh: settings (declare ssh: {host, user, identity, hostKey} on it; see README "SSH")`);
  return m[1];
}

/** The secret values the named systems' ssh settings need. */
export function sshSecrets(stack: Stack, names: string[], io: Io): Record<string, string> {
  return readSecrets(stack, names.flatMap((n) => sshSecretNames(stack.systems[n].ssh!)), io.env);
}

/** Runs `fn` with the process's shared SSH pool sized by --ssh-concurrency, closing its connections afterwards. */
export async function withSshPool<T>(opts: Pick<CliConfig, "sshConcurrency">, fn: () => Promise<T>): Promise<T> {
  const { configureSharedPool, closeSharedPool } = await import("../remote/shared-pool.js");
  configureSharedPool({ concurrency: opts.sshConcurrency ?? 16 });
  try {
    return await fn();
  } finally {
    await closeSharedPool();
  }
}

/**
 * Gathers facts from every system with ssh (within `targets` when given) and sets them on the stack's
 * systems, so compatibility is decided on what the machines are; any failure stops the command.
 */
export async function useDiscoveredFacts(stack: Stack, io: Io, targets: string[] = []): Promise<void> {
  const { factAttributes } = await import("../remote/facts.js");
  const { gatherFleetFacts } = await import("../remote/fleet.js");
  const { sharedPool } = await import("../remote/shared-pool.js");
  const names = Object.values(stack.systems).filter((s) => s.ssh && (!targets.length || targets.includes(`system.${s.name}`))).map((s) => s.name);
  const outcomes = await gatherFleetFacts(stack, names, sshSecrets(stack, names, io), sharedPool());
  const failed = outcomes.filter((o) => "error" in o);
  if (failed.length) {
    const first = failed[0] as { error: string; hostKey?: Error };
    if (first.hostKey && failed.length === 1) throw first.hostKey;
    throw new UsageError(`--use-facts: ${first.error}${failed.length > 1 ? ` (and ${failed.length - 1} more systems failed)` : ""}`);
  }
  for (const o of outcomes) if ("facts" in o) stack.systems[o.system].facts = factAttributes(o.facts);
}
