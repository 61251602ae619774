/** `bootplan state list|show|unlock|migrate`: read the recorded state, release a dead process's lock, move the state between backends. */
import { UsageError } from "../../errors.js";
import { maskSecrets } from "../../secrets/secrets.js";
import { loadStack } from "../../stack/load.js";
import type { StateBackend } from "../../state/backend.js";
import { encIndexFollower, openStackState } from "../state-backend.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";
import { boundHeapGrowth } from "../heap-growth.js";

async function backend(dir: string, io: Io): Promise<StateBackend> {
  const stack = loadStack(dir);
  return openStackState(stack.state, stack.name, io.env);
}

/** Prints every recorded address, one per line. */
export async function stateListCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  const state = await (await backend(dir, io)).store.read();
  const addresses = Object.keys(state.resources).sort();
  io.out(opts.json ? JSON.stringify(addresses, null, 2) + "\n" : addresses.map((a) => `${a}\n`).join(""));
  return 0;
}

/** Prints one recorded resource, secrets masked. */
export async function stateShowCommand(dir: string, address: string, _opts: CliConfig, io: Io): Promise<number> {
  const rec = (await (await backend(dir, io)).store.read()).resources[address];
  if (!rec) throw new UsageError(`${address}: not in the state (see bootplan state list)`);
  io.out(maskSecrets(JSON.stringify({ address, ...rec }, null, 2)) + "\n");
  return 0;
}

/** Releases a lock whose holder is gone (or any lock with --force). */
export async function stateUnlockCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  const info = await (await backend(dir, io)).unlock({ force: opts.force, pid: opts.pid });
  io.out(info ? `Released the lock held by pid ${info.pid} on ${info.host} (${info.command}) since ${info.since}.\n` : "The state was not locked.\n");
  return 0;
}

/** Copies the state to the other backend (`--to postgres` or `--to file`) and checks the copy by digest. */
export async function stateMigrateCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  if (opts.to !== "postgres" && opts.to !== "file") throw new UsageError(`bootplan state migrate needs --to postgres or --to file${opts.to ? `, got ${JSON.stringify(opts.to)}` : ""}`);
  const stack = loadStack(dir);
  // It holds one whole state, then reads the copy back: what grows past that is garbage (heap-growth.ts).
  boundHeapGrowth();
  const { migrateState } = await import("../../state/migrate.js");
  const r = await migrateState(stack.state, stack.name, opts.to, io.env, { force: opts.force, follower: encIndexFollower });
  io.out(`Copied ${r.resources} resources (lineage ${r.lineage}, serial ${r.serial})\n  from ${r.from}\n  to   ${r.to}\nDigest ${r.digest} matches on both sides.\n`);
  if (stack.state.backend !== opts.to) io.out(`Set state.backend to ${opts.to} in stack.yaml to use it.\n`);
  return 0;
}
