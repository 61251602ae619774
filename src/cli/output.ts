/** Where command output goes; injectable so tests and the engine never print directly. */

/** Output streams and terminal facts for a command run. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTty: boolean;
  /** Asks a question on the terminal; undefined when there is none. */
  ask?: (question: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
}

/** The process's real streams. */
export function processIo(): Io {
  const isTty = Boolean(process.stdout.isTTY && process.stdin.isTTY);
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTty,
    env: process.env,
    ask: isTty
      ? async (q) => {
          const { createInterface } = await import("node:readline/promises");
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return await rl.question(q);
          } finally {
            rl.close();
          }
        }
      : undefined,
  };
}

/**
 * Whether to colour output: `--no-color` wins; then NO_COLOR (set to any value) turns colour off even
 * on a terminal; then FORCE_COLOR (other than 0/false) turns it on even in a pipe; else only on a terminal.
 */
export function useColor(opts: { color?: boolean }, io: Pick<Io, "env" | "isTty">): boolean {
  if (opts.color === false) return false;
  if (io.env.NO_COLOR !== undefined) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "0" && force !== "false") return true;
  return io.isTty;
}
