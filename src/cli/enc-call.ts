/**
 * A plain `bootplan enc` call, as Puppet makes it: `enc FQDN [DIR] [--state FILE] [--cm-system NAME]`.
 * Read here without the command-line framework, for the two quick ways enc runs (enc-quick, enc-fast).
 */
import type { Io } from "./output.js";

/** What a plain enc call asks for. */
export interface EncCall {
  fqdn: string;
  dir: string;
  opts: { state?: string; cmSystem?: string };
}

/** The call `args` (the words after `enc`) make; undefined when they need the full CLI (help, other flags). */
export function parseEncCall(args: string[]): EncCall | undefined {
  const positional: string[] = [];
  const opts: EncCall["opts"] = {};
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
  return { fqdn: positional[0], dir: positional[1] ?? ".", opts };
}

/** Prints a failed call's error as the full CLI does (without --debug), for exit code 1. */
export function printEncError(io: Io, err: unknown): void {
  const e = err as Error & { isUserError?: boolean };
  io.err(e.isUserError ? `Error: ${e.message}\n` : `Error: internal error: ${e.message}\nThis is a bug in bootplan; run again with --debug for a stack trace and report it.\n`);
}
