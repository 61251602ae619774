/**
 * `bootplan enc` without the command-line framework, for what the quick path (enc-quick) leaves:
 * errors worded from the recorded state, a state without an index, a schema to create or migrate.
 * Loads only the enc command and what it reads (one node's records).
 */
import { encCommand } from "./commands/enc.js";
import { parseEncCall, printEncError } from "./enc-call.js";
import { processIo } from "./output.js";

/** Runs `enc` with `args` (after the word enc); undefined when the arguments need the full CLI. */
export async function encFast(args: string[]): Promise<number | undefined> {
  const call = parseEncCall(args);
  if (!call) return undefined;
  const io = processIo();
  try {
    return await encCommand(call.fqdn, call.dir, call.opts, io);
  } catch (err) {
    printEncError(io, err);
    return 1;
  } finally {
    const { closePgConnections } = await import("../state/pg-connect.js");
    await closePgConnections();
  }
}
