/** `bootplan state list|show|unlock`: read the recorded state, or release a lock left by a dead process. */
import { UsageError } from "../../errors.js";
import { maskSecrets } from "../../secrets/secrets.js";
import { loadStack } from "../../stack/load.js";
import { FileStateStore } from "../../state/file-store.js";
import { StateLock } from "../../state/lock.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";

function store(dir: string): FileStateStore {
  const stack = loadStack(dir);
  return new FileStateStore(stack.state.path, stack.name);
}

/** Prints every recorded address, one per line. */
export async function stateListCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  const state = store(dir).read();
  const addresses = Object.keys(state.resources).sort();
  io.out(opts.json ? JSON.stringify(addresses, null, 2) + "\n" : addresses.map((a) => `${a}\n`).join(""));
  return 0;
}

/** Prints one recorded resource, secrets masked. */
export async function stateShowCommand(dir: string, address: string, _opts: CliConfig, io: Io): Promise<number> {
  const rec = store(dir).read().resources[address];
  if (!rec) throw new UsageError(`${address}: not in the state (see bootplan state list)`);
  io.out(maskSecrets(JSON.stringify({ address, ...rec }, null, 2)) + "\n");
  return 0;
}

/** Releases a lock whose holder is gone (or any lock with --force). */
export async function stateUnlockCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  const stack = loadStack(dir);
  const info = StateLock.unlock(stack.state.path, { force: opts.force, pid: opts.pid });
  io.out(info ? `Released the lock held by pid ${info.pid} on ${info.host} (${info.command}) since ${info.since}.\n` : "The state was not locked.\n");
  return 0;
}
