/** The diff every bootplan provider uses: top-level keys compared structurally, some keys forcing replacement. */
import type * as pulumi from "@pulumi/pulumi";
import { jsonEqual } from "../util/equal.js";
import { digestsOf } from "./file-digests.js";
import { BOOKKEEPING_KEYS, TRANSIENT_KEYS } from "./types.js";

/** Rendered files are compared by digest: the state records digests, desired inputs may hold the text. */
const IGNORED = new Set([...BOOKKEEPING_KEYS, ...TRANSIENT_KEYS, "files", "fileDigests"]);

/** Compares recorded outputs with new inputs; a change to a `replaceOn` key means replace rather than update. */
export function diffProps(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  replaceOn: readonly string[] = [],
  deleteBeforeReplace = false,
): pulumi.dynamic.DiffResult {
  const changed: string[] = [];
  // Every resource of every plan comes through here: keys of both sides without building a set of them.
  for (const k in olds) if (!IGNORED.has(k) && !jsonEqual(olds[k], news[k])) changed.push(k);
  for (const k in news) if (!(k in olds) && !IGNORED.has(k) && news[k] !== undefined) changed.push(k);
  if (("files" in olds || "fileDigests" in olds || "files" in news || "fileDigests" in news) && !jsonEqual(digestsOf(olds) ?? {}, digestsOf(news) ?? {})) changed.push("files");
  const replaces = changed.filter((k) => replaceOn.includes(k));
  return { changes: changed.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace, stables: [] };
}
