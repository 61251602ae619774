/** Shared test helpers: temp dirs, and running the real state modules in separate node processes. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { expect } from "vitest";
import { StateError } from "../../../src/errors.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A fresh temp directory under the OS temp dir. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "bootplan-state-"));
}

/**
 * Child processes run plain node, which cannot load .ts: transpile src/state/* and the modules it imports
 * into a temp tree that mirrors src/ (so relative imports and the schemas/ lookup keep working) and links
 * node_modules. Returns the file URL of the transpiled src/state/ folder.
 */
export function buildStateModules(): { stateUrl: string; cleanup: () => void } {
  const out = tempDir();
  const queue = fs.readdirSync(path.join(ROOT, "src/state")).filter((f) => f.endsWith(".ts")).map((f) => path.join(ROOT, "src/state", f));
  const done = new Set<string>();
  while (queue.length) {
    const file = queue.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = fs.readFileSync(file, "utf8");
    for (const m of source.matchAll(/from\s+"(\.{1,2}\/[^"]+)\.js"/g)) queue.push(path.resolve(path.dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    const dest = path.join(out, path.relative(ROOT, file)).replace(/\.ts$/, ".js");
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, js);
  }
  fs.writeFileSync(path.join(out, "package.json"), '{"type":"module"}\n');
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(out, "node_modules"));
  fs.symlinkSync(path.join(ROOT, "schemas"), path.join(out, "schemas"));
  return {
    stateUrl: pathToFileURL(path.join(out, "src/state/")).href,
    cleanup: () => fs.rmSync(out, { recursive: true, force: true }),
  };
}

/** The outcome of a finished child process. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `node --input-type=module -e code` child, with its pid and a promise of how it ended. */
export function startNode(code: string): { pid: number; done: Promise<ChildResult>; stdoutLine: () => Promise<string> } {
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const lineWaiters: ((line: string) => void)[] = [];
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes("\n")) for (const w of lineWaiters.splice(0)) w(stdout.split("\n")[0]!);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ChildResult>((resolve) => child.on("close", (c, s) => resolve({ code: c, signal: s, stdout, stderr })));
  return {
    pid: child.pid!,
    done,
    // Resolves with the first line the child prints: the child's way of saying "ready".
    stdoutLine: () =>
      stdout.includes("\n")
        ? Promise.resolve(stdout.split("\n")[0]!)
        : new Promise((resolve, reject) => {
            lineWaiters.push(resolve);
            void done.then((r) => reject(new Error(`child ended before printing a line: ${r.stderr}`)));
          }),
  };
}

/** Runs a node ESM snippet to completion. */
export function runNode(code: string): Promise<ChildResult> {
  return startNode(code).done;
}

/** Runs `fn`, expecting it to throw a StateError, and returns that error. */
export function catchStateError(fn: () => unknown): StateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StateError);
    return err as StateError;
  }
  throw new Error("expected a StateError");
}
