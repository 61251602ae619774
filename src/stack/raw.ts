/** Reads a stack directory into raw, schema-valid entries, each remembering the file and path it came from. */
import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { StackError, StackErrors } from "../errors.js";
import { discoverStackFiles, includePatternProblem, type StackFileProblem } from "./discover.js";
import { validateStackFile } from "./schema.js";
import { locate, parseYamlFile, YamlFile, type DocPath } from "./yaml.js";
import { StackParseCache, type ParseCacheMode } from "./parse-cache.js";
import { sha256Hex } from "../util/hash.js";

/** The kinds a stack declares as maps keyed by name. */
export const KINDS = ["secrets", "distros", "repos", "profiles", "systems", "guests", "packages", "overrides", "cm", "plugins"] as const;
export type Kind = (typeof KINDS)[number];

/** Keys that only stack.yaml may set. */
const SETTINGS = ["stack", "include", "provisioningRoot", "state", "server", "executor", "serve"] as const;

/** One named entry of a kind, with where it was declared. */
export interface RawEntry {
  name: string;
  value: Record<string, unknown>;
  file: YamlFile;
  /** Path of the entry inside its file, e.g. ["systems", "web01"]. */
  path: DocPath;
}

export interface RawStack {
  dir: string;
  files: YamlFile[];
  settings: Record<string, unknown>;
  /** The file that holds the settings (stack.yaml). */
  root: YamlFile;
  /** The parse cache the files came from; loadStack flushes what was parsed afresh once the stack has loaded. */
  parseCache?: StackParseCache;
  kinds: Record<Kind, Map<string, RawEntry>>;
}

/** How file paths appear in messages: relative to `displayBase` when below it. */
export function displayPath(abs: string, displayBase = process.cwd()): string {
  const rel = relative(displayBase, abs);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

/**
 * Parses and schema-checks every file of the stack in `dir`; throws StackErrors listing every problem.
 * Files parsed before come from the parse cache beside the state (parse-cache.ts); `cache` "write" adds
 * the ones parsed now.
 */
export function readRawStack(dirArg: string, displayBase?: string, cache: ParseCacheMode = "read"): RawStack {
  const dir = resolve(dirArg);
  const rootAbs = join(dir, "stack.yaml");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new StackErrors([new StackError("stack.not-found", undefined, `${displayPath(dir, displayBase)}: no such stack directory`)]);
  }
  if (!existsSync(rootAbs)) {
    throw new StackErrors([new StackError("stack.not-found", undefined, `${displayPath(dir, displayBase)}: not a stack (no stack.yaml in it)`)]);
  }
  if (!lstatSync(rootAbs).isFile()) {
    throw new StackErrors([new StackError("stack.not-regular", undefined, `${displayPath(rootAbs, displayBase)}: is not a regular file (a link, directory or device); a stack file must be a regular file inside the stack`)]);
  }
  const errors: StackError[] = [];
  let kept: StackParseCache | undefined;
  const parse = (rel: string): YamlFile | undefined => {
    const abs = join(dir, rel);
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      const hint = code === "EACCES" || code === "EPERM" ? "; check its permissions" : "";
      errors.push(new StackError("stack.unreadable", undefined, `${displayPath(abs, displayBase)}: cannot read this stack file (${code})${hint}`));
      return undefined;
    }
    // Taken once: the parse cache's key, and the stack's fingerprint (resolve.ts).
    const sha = sha256Hex(text);
    const value = kept?.get(rel, sha);
    if (value !== undefined) return new YamlFile(displayPath(abs, displayBase), rel, text, value, undefined, sha);
    try {
      const f = parseYamlFile(text, displayPath(abs, displayBase), rel, sha);
      if (f.value === null || typeof f.value !== "object" || Array.isArray(f.value)) {
        errors.push(new StackError("stack.wrong-type", locate(f, []), `(document root): expected a map of kinds, found ${Array.isArray(f.value) ? "a list" : typeof f.value}`));
        return undefined;
      }
      const problems = validateStackFile(f);
      errors.push(...problems);
      // Aliases are expanded afresh each time: the careful parser bounds their expansion.
      if (!problems.length && !f.aliases) kept?.put(rel, sha, f.value);
      return f;
    } catch (err) {
      if (err instanceof StackError) errors.push(err);
      else throw err;
      return undefined;
    }
  };

  const root = parse("stack.yaml");
  const include = (root?.value as { include?: string[] } | undefined)?.include;
  if (root && Array.isArray(include)) {
    include.forEach((g, i) => {
      const why = typeof g === "string" ? includePatternProblem(g) : undefined;
      if (why) errors.push(new StackError("stack.path-escape", locate(root, ["include", i]), `include[${i}]: ${JSON.stringify(g)} ${why}`));
    });
  }
  kept = root && !errors.length ? openParseCache(dir, root.value as Record<string, unknown>, cache) : undefined;
  const files: YamlFile[] = root ? [root] : [];
  const refused: StackFileProblem[] = [];
  const discovered = discoverStackFiles(dir, Array.isArray(include) ? include : undefined, refused);
  for (const p of refused) errors.push(new StackError("stack.not-regular", undefined, `${displayPath(join(dir, p.rel), displayBase)}: ${p.why}`));
  for (const rel of discovered.slice(1)) {
    const f = parse(rel);
    if (f) files.push(f);
  }
  if (errors.length || !root) throw new StackErrors(errors);

  const settings = root.value as Record<string, unknown>;
  if (typeof settings.stack !== "string") {
    errors.push(new StackError("stack.missing-key", locate(root, []), `(document root): missing required key "stack" (the stack's name) in stack.yaml`));
  }
  const kinds = Object.fromEntries(KINDS.map((k) => [k, new Map<string, RawEntry>()])) as RawStack["kinds"];
  for (const f of files) {
    const doc = f.value as Record<string, unknown>;
    if (f !== root) {
      for (const key of SETTINGS) {
        if (key in doc) errors.push(new StackError("stack.misplaced-setting", locate(f, [key], "key"), `${key}: stack settings belong in stack.yaml, not in ${f.rel}`));
      }
    }
    for (const kind of KINDS) {
      const map = doc[kind] as Record<string, Record<string, unknown>> | undefined;
      if (!map) continue;
      for (const [name, value] of Object.entries(map)) {
        if (name in Object.prototype) {
          errors.push(new StackError("stack.invalid-name", locate(f, [kind, name], "key"), `${kind}.${name}: the name ${JSON.stringify(name)} is reserved; choose another`));
          continue;
        }
        const prev = kinds[kind].get(name);
        if (prev) {
          const there = locate(prev.file, prev.path, "key");
          errors.push(new StackError("stack.duplicate-name", locate(f, [kind, name], "key"), `${kind}.${name} is defined twice: here and at ${there.file}:${there.line}:${there.column}`));
          continue;
        }
        kinds[kind].set(name, { name, value: value ?? {}, file: f, path: [kind, name] });
      }
    }
  }
  if (errors.length) throw new StackErrors(errors);
  return { dir, files, settings, root, kinds, ...(kept ? { parseCache: kept } : {}) };
}

/** The parse cache beside the state file stack.yaml names (default .bootplan/state.json), if that lies inside the stack. */
function openParseCache(dir: string, settings: Record<string, unknown>, mode: ParseCacheMode): StackParseCache | undefined {
  const path = (settings.state as { path?: unknown } | undefined)?.path;
  const statePath = resolve(dir, typeof path === "string" ? path : ".bootplan/state.json");
  const rel = relative(dir, statePath);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return StackParseCache.open(statePath, mode);
}
