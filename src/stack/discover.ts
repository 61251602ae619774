/** Finds the YAML files of a stack: every *.yaml below it, or those its `include:` patterns match. */
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** Folders never read as part of a stack: bootplan's own output and dependencies. */
const SKIPPED_DIRS = new Set([".bootplan", "node_modules", ".git"]);

/** Lists files below `dir` (relative, forward slashes, sorted), skipping dot-folders and links. */
export function listFiles(dir: string, accept: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const ent of readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) {
        if (ent.name.startsWith(".") || SKIPPED_DIRS.has(ent.name)) continue;
        walk(join(abs, ent.name), childRel);
      } else if (ent.isFile() && accept(childRel)) {
        out.push(childRel);
      }
    }
  };
  walk(dir, "");
  return out.sort();
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

const isYaml = (rel: string): boolean => rel.endsWith(".yaml") || rel.endsWith(".yml");

/** The stack files to read: stack.yaml first, then the rest sorted. */
export function discoverStackFiles(dir: string, include?: string[]): string[] {
  const patterns = include?.map(globToRegExp);
  const files = listFiles(dir, (rel) => isYaml(rel) && (rel === "stack.yaml" || !patterns || patterns.some((p) => p.test(rel))));
  return ["stack.yaml", ...files.filter((f) => f !== "stack.yaml")];
}
