/**
 * Stack files parsed and schema-checked once, kept between runs. js-yaml and the checks after it took
 * 1.4 s of every command on a 100,000-system stack (100 files, 30 MB), and most runs meet the same
 * files again; JSON.parse of the kept value takes a fifth of that. Each entry holds the hash of the
 * text it was parsed from and of the code that parsed and checked it, so an edited file, or another
 * bootplan, parses afresh. Kept in `<state file>.stack-cache/` (bootplan writes nothing but the
 * provisioning root and files named after the state); only files that parsed without an error, had
 * no aliases, and hold nothing JSON cannot carry (.inf, .nan, -0) are kept.
 */
import { lstatSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { writableCacheDir } from "../util/cache-dir.js";
import { codeFingerprint } from "../util/code-fingerprint.js";
import { sha256 } from "../util/hash.js";

/** Whether a run may add to the cache: `validate` reads it and writes nothing. */
export type ParseCacheMode = "read" | "write";

/** Bumped when what an entry means changes. */
const FORMAT = "1";

let parserKey: string | undefined;
/** The hash of the code a kept value depends on: the stack modules, the schemas, js-yaml's version. */
function parserFingerprint(): string {
  if (parserKey) return parserKey;
  const jsyaml = (createRequire(import.meta.url)("js-yaml/package.json") as { version: string }).version;
  parserKey = sha256([FORMAT, jsyaml, codeFingerprint(new URL("./", import.meta.url)), codeFingerprint(new URL("../../schemas/", import.meta.url), /\.json$/)].join("\0"), "base64url");
  return parserKey;
}

/** True when `value` comes back from JSON exactly: no non-finite number, no -0. */
function survivesJson(value: unknown): boolean {
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "number") {
      if (!Number.isFinite(v) || Object.is(v, -0)) return false;
    } else if (v !== null && typeof v === "object") {
      for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push(x);
    }
  }
  return true;
}

/**
 * The parsed stack files kept beside a stack's state. New entries wait for flush(), which the loader
 * calls once the whole stack has loaded: a command refused for bad input writes nothing.
 */
export class StackParseCache {
  private readonly kept = new Set<string>();
  private readonly waiting: { file: string; text: string }[] = [];

  private constructor(
    private readonly dir: string,
    private readonly mode: ParseCacheMode,
  ) {}

  /** The cache of the state file at `statePath` (which need not exist yet). */
  static open(statePath: string, mode: ParseCacheMode): StackParseCache {
    return new StackParseCache(`${statePath}.stack-cache`, mode);
  }

  private entry(rel: string): string {
    return join(this.dir, `${sha256(rel, "base64url")}.json`);
  }

  private key(textSha256: string): string {
    return sha256(`${parserFingerprint()}\0${textSha256}`, "base64url");
  }

  /** The value kept for stack file `rel` when it was parsed, by this bootplan, from the text whose sha256 (hex) is `textSha256`. */
  get(rel: string, textSha256: string): unknown {
    this.kept.add(this.entry(rel));
    let kept: string;
    try {
      // Through a link, a file elsewhere would be trusted as the stack.
      if (!lstatSync(this.dir).isDirectory()) return undefined;
      kept = readFileSync(this.entry(rel), "utf8");
    } catch {
      return undefined;
    }
    const nl = kept.indexOf("\n");
    if (nl < 0 || kept.slice(0, nl) !== this.key(textSha256)) return undefined;
    try {
      return JSON.parse(kept.slice(nl + 1));
    } catch {
      return undefined;
    }
  }

  /** Keeps the value of stack file `rel` parsed from the text whose sha256 is `textSha256`, at the next flush(). */
  put(rel: string, textSha256: string, value: unknown): void {
    if (this.mode === "write" && survivesJson(value)) this.waiting.push({ file: this.entry(rel), text: `${this.key(textSha256)}\n${JSON.stringify(value)}` });
  }

  /**
   * Writes the entries put since the last flush and removes those of files the stack no longer has.
   * Best effort: a failure (a full disk, a read-only checkout) only costs the next run a parse.
   */
  flush(): void {
    if (this.mode !== "write") return;
    const waiting = this.waiting.splice(0);
    let stale: string[];
    try {
      stale = readdirSync(this.dir).map((n) => join(this.dir, n)).filter((f) => !this.kept.has(f));
    } catch {
      stale = [];
    }
    if (!waiting.length && !stale.length) return;
    if (!writableCacheDir(this.dir)) return;
    for (const f of stale) rmSync(f, { force: true });
    for (const { file, text } of waiting) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        rmSync(tmp, { force: true });
        writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
        renameSync(tmp, file);
      } catch {
        rmSync(tmp, { force: true });
      }
    }
  }
}
