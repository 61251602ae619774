/** The file-writing half of the CM providers, kept out of the provider objects so they serialize. */
import { existsSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import * as files from "./files-impl.js";
import { pathInside, rmdirInside } from "../util/safe-path.js";
import { rootOf } from "./on-disk.js";
import { recordedPaths } from "./recorded-hashes.js";

type Props = Record<string, unknown>;

/**
 * Removes the folders left empty below a CM system's output directory (a removed node's folder, the
 * output itself when the CM system goes), never anything above it.
 */
function pruneEmpty(props: Props): void {
  const root = rootOf(props);
  const output = props.output as string | undefined;
  if (!output || !existsSync(root)) return;
  const top = pathInside(root, output);
  const dirs = new Set(recordedPaths(props).map((rel) => dirname(pathInside(root, rel))));
  for (const start of [...dirs].sort((a, b) => b.length - a.length)) {
    for (let d = start; ; d = dirname(d)) {
      const back = relative(top, d);
      if (back.startsWith("..") || back.split(sep).includes("..")) break;
      // Not empty (or gone, or a link): nothing above it can be empty either.
      if (!rmdirInside(root, d)) break;
      if (d === top) break;
    }
  }
}

/** Writes a handoff's or index's files, skipping those already as recorded and removing those it no longer has. */
export function applyFiles(news: Props, olds?: Props): Props {
  const outs = files.applyFiles(news, olds);
  if (olds) pruneEmpty(olds);
  return outs;
}

/** Removes what a handoff or index wrote, and the folders that leaves empty. */
export function deleteFiles(props: Props): void {
  files.deleteFiles(props);
  pruneEmpty(props);
}

/** Each file's hash as it is on disk now, as for every file-writing resource. */
export const readFiles = files.readFiles;

