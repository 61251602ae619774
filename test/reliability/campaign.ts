/**
 * Shared pieces of the reliability campaign: a generated fleet, tree snapshots, the built CLI as a real
 * process, and the campaign's size (small and seeded under `npm test`, larger under `npm run fuzz`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateStack } from "../../bench/generate.js";
import { REPO } from "../helpers/stack.js";

/** True under `npm run fuzz`: more kills, more stacks, a random seed unless BOOTPLAN_FUZZ_SEED is set. */
export const LONG = process.env.BOOTPLAN_FUZZ === "1";
/** The seed every random choice of the campaign derives from (printed so a failure can be replayed). */
export const SEED = Number(process.env.BOOTPLAN_FUZZ_SEED ?? (LONG ? Date.now() % 1_000_000 : 42));

/** A small deterministic PRNG (mulberry32), so a seed replays the same campaign. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generated fleet stack of `n` systems in a fresh temp dir. */
export function fleet(n: number, prefix = "fleet"): string {
  const dir = mkdtempSync(join(tmpdir(), `bootplan-${prefix}-`));
  generateStack(dir, n, { labDir: join(REPO, "stacks/lab"), cm: true });
  return dir;
}

/** Every file under `dir` with its content's length and first bytes' hash-free fingerprint (the content itself). */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    let ents;
    try {
      ents = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(abs, e.name), r);
      else out[r] = e.isSymbolicLink() ? "(link)" : readFileSync(join(abs, e.name), "latin1");
    }
  };
  walk(dir, "");
  return out;
}

const BIN = join(REPO, "bin/bootplan.js");

/** Runs the built CLI to completion. */
export function bin(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): { code: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, encoding: "utf8", timeout: opts.timeoutMs ?? 120_000, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** Starts the built CLI and kills it with SIGKILL after `ms`; resolves when it has ended. */
export function runAndKill(args: string[], ms: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: "ignore" });
    let killed = false;
    const t = setTimeout(() => {
      killed = child.kill("SIGKILL");
    }, ms);
    child.on("exit", (code) => {
      clearTimeout(t);
      resolve({ killed: killed && code === null, code });
    });
  });
}

/** Prints one campaign figure line (the closing note quotes these). */
export function figure(text: string): void {
  console.log(`[campaign seed=${SEED}] ${text}`);
}
