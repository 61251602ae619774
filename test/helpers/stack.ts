/** Test helpers: throwaway copies of the lab stack, and the CLI run in-process or as a real process. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadStack } from "../../src/stack/load.js";
import type { Io } from "../../src/cli/output.js";

/** The repository root. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Copies stacks/<name> as committed (git's HEAD), not as it is in the working tree: the README has the
 * reader edit stacks/lab and apply it there, and tests must not see that edit or its .bootplan/. Outside
 * a git checkout (an unpacked release) the working tree is copied, without .bootplan/.
 */
function copyPristine(name: string, dir: string): void {
  const r = spawnSync("sh", ["-c", 'git -C "$1" archive --format=tar HEAD "stacks/$2" | tar -x -C "$3" --strip-components=2 && test -f "$3/stack.yaml"', "sh", REPO, name, dir], { encoding: "utf8" });
  if (r.status === 0) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  cpSync(join(REPO, "stacks", name), dir, { recursive: true, filter: (src) => !src.includes(".bootplan") });
}

/** A fresh copy of stacks/<name> (as committed) in a temp dir, with `files` written over it (relative paths). */
export function tempStack(files: Record<string, string> = {}, name = "lab"): string {
  const dir = mkdtempSync(join(tmpdir(), `bootplan-${name}-`));
  copyPristine(name, dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** Returns a factory of fresh lab copies, each removed after the test that made it. */
export function tempStacks(name = "lab"): (files?: Record<string, string>) => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(cleanup));
  return (files = {}) => {
    const d = tempStack(files, name);
    dirs.push(d);
    return d;
  };
}

/** Replaces `from` with `to` in a stack file (throws when `from` is absent, so a test cannot silently test nothing). */
export function editStackFile(dir: string, rel: string, from: string | RegExp, to: string): void {
  const path = join(dir, rel);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`editStackFile: ${String(from)} not found in ${rel}`);
  writeFileSync(path, next);
}

/** Loads a stack expecting it to be invalid; returns its error messages, positions relative to the stack. */
export function stackErrors(dir: string): string[] {
  try {
    loadStack(dir, { displayBase: dir });
  } catch (err) {
    const e = err as { errors?: Error[]; message: string; isUserError?: boolean };
    if (e.isUserError !== true) throw err;
    return (e.errors ?? [e]).map((x) => x.message);
  }
  throw new Error("expected the stack to be invalid");
}

/** Removes a temp dir. */
export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured output and no terminal. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = "", stderr = "";
  const io: Io = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), isTty: false, env: { ...process.env, ...env } };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs the built CLI (bin/bootplan.js) as a real process, as a user or CI would. */
export function runBin(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(REPO, "bin/bootplan.js"), ...args], {
    cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, input: opts.input ?? "", encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** An executor the e2e suite runs through, and how to run the CLI for it. */
export interface ExecutorCase {
  executor: "in-process" | "pulumi-host";
  /**
   * Runs a command. In-process runs in this process; pulumi-host runs the built CLI as a real process,
   * because Pulumi's closure serializer cannot serialize providers that vitest has rewritten.
   */
  cli: (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliResult>;
}

/** Both executors: every e2e scenario must give the same root and state through either. */
export const EXECUTOR_CASES: ExecutorCase[] = [
  { executor: "in-process", cli: runCli },
  { executor: "pulumi-host", cli: async (args, env) => runBin(args, { env }) },
];

/** Makes a stack copy select `executor` in its stack.yaml, so every command on it runs through that executor. */
export function useExecutor(dir: string, executor: ExecutorCase["executor"]): string {
  if (executor !== "in-process") writeFileSync(join(dir, "stack.yaml"), `${readFileSync(join(dir, "stack.yaml"), "utf8")}executor: ${executor}\n`);
  return dir;
}
