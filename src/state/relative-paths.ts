/**
 * States written before paths were recorded relative to the stack hold the provisioning root (and
 * hosted boot files' sources) as absolute paths of the checkout they were made in. Read through here,
 * they become relative again, so the next plan compares like with like instead of planning replaces.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { stackRelative } from "../util/stack-path.js";
import type { StateDocument } from "./types.js";

/**
 * An absolute recorded path made relative to `stackDir`: directly when it lies inside, or, for a
 * checkout that moved, when it ends with the path the stack now asks for (`wanted`).
 */
function relativePath(abs: string, stackDir: string, wanted?: string): string {
  const rel = stackRelative(stackDir, abs);
  if (!isAbsolute(rel)) return rel;
  if (wanted && !isAbsolute(wanted) && abs.replace(/\\/g, "/").endsWith(`/${wanted}`)) return wanted;
  return abs;
}

/** A file of another checkout found at the same place in this one: the longest trailing part of `abs` that exists under `stackDir`. */
function sameFileHere(abs: string, stackDir: string): string | undefined {
  const segs = abs.replace(/\\/g, "/").split("/").filter(Boolean);
  for (let i = 1; i < segs.length; i++) {
    const rel = segs.slice(i).join("/");
    if (existsSync(join(stackDir, rel))) return rel;
  }
  return undefined;
}

const BOOT_FILES = ["kernel", "initrd"] as const;

/** Rewrites absolute `root` and hosted `source` paths in place; returns how many records changed. */
export function relativizeRecordedPaths(doc: StateDocument, stackDir: string, wantedRoot: string): number {
  let changed = 0;
  // Every plan reads every record through here: a plain loop, boot files looked at only where recorded.
  for (const address in doc.resources) {
    const o = doc.resources[address].outputs;
    let touched = false;
    if (typeof o.root === "string" && isAbsolute(o.root)) {
      o.root = relativePath(o.root, stackDir, wantedRoot);
      touched = true;
    }
    if (o.kernel === undefined && o.initrd === undefined) {
      if (touched) changed++;
      continue;
    }
    for (const k of BOOT_FILES) {
      const f = o[k] as { source?: unknown } | undefined;
      if (f && typeof f.source === "string" && isAbsolute(f.source)) {
        const rel = relativePath(f.source, stackDir);
        o[k] = { ...f, source: isAbsolute(rel) ? sameFileHere(f.source, stackDir) ?? rel : rel };
        touched = true;
      }
    }
    if (touched) changed++;
  }
  return changed;
}
