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
