/**
 * Finds the YAML files of a stack: every *.yaml below it, or those its `include:` patterns match.
 *
 * A stack file must be a regular file inside the stack directory. A `*.yaml` that is a symbolic link,
 * a directory, a FIFO or anything else is refused, never skipped: skipping it would make the plan
 * destroy what it declared. Links to directories are not followed; one that leads to stack files is
 * refused for the same reason.
 */
import { lstatSync, readdirSync, statSync, type Dirent } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";

/** Folders never read as part of a stack: bootplan's own output and dependencies. */
const SKIPPED_DIRS = new Set([".bootplan", "node_modules", ".git"]);

/** A stack path bootplan refuses to read, and why (one line). */
export interface StackFileProblem {
  rel: string;
  why: string;
}

const isYaml = (rel: string): boolean => rel.endsWith(".yaml") || rel.endsWith(".yml");

function kindOf(ent: Dirent): string {
  if (ent.isSymbolicLink()) return "a symbolic link";
  if (ent.isDirectory()) return "a directory";
  if (ent.isFIFO()) return "a named pipe";
  if (ent.isSocket()) return "a socket";
  if (ent.isBlockDevice() || ent.isCharacterDevice()) return "a device";
  return "not a regular file";
}

/** True when a directory (reached through a link) holds a YAML file, looking a few levels deep at most. */
function holdsYaml(abs: string, depth = 4): boolean {
  let ents: Dirent[];
  try {
    ents = readdirSync(abs, { withFileTypes: true });
  } catch {
    return false;
  }
  return ents.some((e) => (isYaml(e.name) && !e.isDirectory()) || (depth > 0 && e.isDirectory() && !e.name.startsWith(".") && holdsYaml(join(abs, e.name), depth - 1)));
}

/**
 * Lists files below `dir` (relative, forward slashes, sorted), skipping dot-folders. Entries that
 * `accept` would take but that are not regular files go to `problems` (when given) instead.
 */
export function listFiles(dir: string, accept: (rel: string) => boolean, problems?: StackFileProblem[]): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    let ents: Dirent[];
    try {
      ents = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      problems?.push({ rel: rel || ".", why: `cannot list this directory (${(err as NodeJS.ErrnoException).code ?? "error"})` });
      return;
    }
    for (const ent of ents) {
      const childRel = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory() && !accept(childRel)) {
        if (ent.name.startsWith(".") || SKIPPED_DIRS.has(ent.name)) continue;
        walk(join(abs, ent.name), childRel);
      } else if (ent.isFile()) {
        if (accept(childRel)) out.push(childRel);
      } else if (accept(childRel)) {
        problems?.push({ rel: childRel, why: `is ${kindOf(ent)}; a stack file must be a regular file inside the stack (replace it with the file itself)` });
        if (ent.isDirectory()) walk(join(abs, ent.name), childRel);
      } else if (ent.isSymbolicLink() && !ent.name.startsWith(".") && isDirLink(join(abs, ent.name)) && holdsYaml(join(abs, ent.name))) {
        problems?.push({ rel: childRel, why: "is a symbolic link to a directory holding YAML files; bootplan does not follow links in a stack (copy or move the files into the stack)" });
      }
    }
  };
  walk(dir, "");
  return out.sort();
}

function isDirLink(abs: string): boolean {
  try {
    return lstatSync(abs).isSymbolicLink() && statSync(abs).isDirectory();
  } catch {
    return false;
  }
}

/** Compiles a glob (`*`, `?`, `**`) over forward-slash paths into a RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Why an `include:` pattern cannot select files inside the stack (absolute, `..`, backslash); undefined when fine. */
export function includePatternProblem(glob: string): string | undefined {
  if (isAbsolute(glob) || glob.startsWith("~")) return "is absolute; include patterns are relative to the stack directory";
  if (glob.includes("\\") || glob.includes("\0")) return "holds a backslash or NUL; use forward slashes";
  if (glob.split("/").includes("..") || normalize(glob).startsWith("..")) return "reaches outside the stack directory ('..'); stack files must live inside it";
  return undefined;
}

/** The stack files to read: stack.yaml first, then the rest sorted; refused entries go to `problems`. */
export function discoverStackFiles(dir: string, include?: string[], problems?: StackFileProblem[]): string[] {
  const patterns = include?.filter((g) => !includePatternProblem(g)).map(globToRegExp);
  const files = listFiles(dir, (rel) => isYaml(rel) && (rel === "stack.yaml" || !patterns || patterns.some((p) => p.test(rel))), problems);
  return ["stack.yaml", ...files.filter((f) => f !== "stack.yaml")];
}
