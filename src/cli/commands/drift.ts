/**
 * `bootplan drift [DIR]`: reads every recorded resource back through its provider and reports what
 * differs from the record (files changed, missing, or unrecorded in bootplan's folders; any output a
 * provider reads differently). Exit 0 no drift, 2 drift, 1 error. Writes nothing.
 */
import { checkDrift, hasDrift } from "../../engine/drift.js";
import { UsageError } from "../../errors.js";
import { findLeftovers } from "../../providers/leftovers.js";
import { providerFor } from "../../providers/index.js";
import { resolveRecorded } from "../../providers/on-disk.js";
import { recordedPaths } from "../../providers/recorded-hashes.js";
import { RUNTIME_INPUT } from "../../providers/types.js";
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from "../../report/drift.js";
import type { StateDocument } from "../../state/types.js";
import type { CliConfig } from "../options.js";
import { useColor, type Io } from "../output.js";
import { openSession, readState, withRecordedText, withStateLock, type Session } from "../session.js";

/** Files no resource recorded in the folders bootplan owns, under every provisioning root the state writes to (the same check plan warns with). */
function extraFiles(s: Session, state: StateDocument): string[] {
  const byRoot = new Map<string, Set<string>>();
  for (const rec of Object.values(state.resources)) {
    const root = rec.outputs.root;
    if (typeof root !== "string") continue;
    const rels = recordedPaths(rec.outputs);
    if (!rels.length) continue;
    const set = byRoot.get(root) ?? byRoot.set(root, new Set()).get(root)!;
    for (const rel of rels) set.add(rel);
  }
  const out: string[] = [];
  for (const [root, rels] of byRoot) {
    const abs = resolveRecorded({ [RUNTIME_INPUT]: s.runtime }, root);
    for (const rel of findLeftovers(abs, rels).unexpected) out.push(byRoot.size > 1 ? `${root}/${rel}` : rel);
  }
  return out.sort();
}

/** Reports drift of the stack in `dir`; returns 0 (none), 2 (drift). */
export async function driftCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  if (opts.refresh === "off") throw new UsageError("bootplan drift always refreshes; --refresh takes true (stat first) or full (hash every file)");
  const s = await openSession(dir, io);
  const report = await withStateLock(s.backend, "bootplan drift", opts, async () => {
    const state = await readState(s);
    const runtime = { ...s.runtime, refresh: opts.refresh === "full" ? "full" as const : "stat" as const };
    return checkDrift(state, s.stack.name, { providerFor, runtime, secrets: s.secrets }, extraFiles(s, state), (drifted) => withRecordedText(s, state, new Set(drifted)));
  });
  if (opts.json) io.out(renderDriftJson(report));
  else if (opts.markdown) io.out(renderDriftMarkdown(report));
  else io.out(renderDriftText(report, { color: useColor(opts, io) }));
  return hasDrift(report) ? 2 : 0;
}
