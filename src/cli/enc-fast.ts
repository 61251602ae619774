/**
 * `bootplan enc` without the command-line framework: Puppet runs it once per agent run, so the launcher
 * sends plain `enc FQDN [DIR] [--state FILE] [--cm-system NAME]` here and everything else (help, other
 * flags) to the full CLI. Loads only the enc command and what it reads (one node's records).
 */
import { encCommand } from "./commands/enc.js";
import { processIo } from "./output.js";

/** Runs `enc` with `args` (after the word enc); undefined when the arguments need the full CLI. */
export async function encFast(args: string[]): Promise<number | undefined> {
  const positional: string[] = [];
  const opts: { state?: string; cmSystem?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const m = /^--(state|cm-system)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] ?? args[++i];
      if (v === undefined) return undefined;
      if (m[1] === "state") opts.state = v;
      else opts.cmSystem = v;
    } else if (a.startsWith("-")) return undefined;
    else positional.push(a);
  }
  if (positional.length < 1 || positional.length > 2) return undefined;
  const io = processIo();
  try {
    return await encCommand(positional[0], positional[1] ?? ".", opts, io);
  } catch (err) {
    const e = err as Error & { isUserError?: boolean };
    io.err(e.isUserError ? `Error: ${e.message}\n` : `Error: internal error: ${e.message}\nThis is a bug in bootplan; run again with --debug for a stack trace and report it.\n`);
    return 1;
  } finally {
    const { closePgConnections } = await import("../state/pg-connect.js");
    await closePgConnections();
  }
}
