/** The terminal rendering of a plan: grouped by action, fields old -> new, file diffs, summary last. */
import pc from "picocolors";
import type { Plan, PlannedChange } from "../engine/types.js";
import { summaryLine } from "../engine/types.js";
import { formatValue } from "./format-value.js";

/** The colour functions the renderers use. */
export type Colors = Pick<typeof pc, "green" | "red" | "yellow" | "cyan" | "bold" | "dim" | "magenta">;

/** The sign of each action. */
export const SYMBOL: Record<PlannedChange["action"], string> = { create: "+", update: "~", replace: "-/+", delete: "-" };
const ORDER: PlannedChange["action"][] = ["create", "update", "replace", "delete"];
const HEADING: Record<PlannedChange["action"], string> = {
  create: "will be created", update: "will be updated in place", replace: "will be replaced", delete: "will be destroyed",
};

export interface TextOptions {
  color: boolean;
  /** Print the whole content of files a create writes (off by default: a first plan can be huge). */
  showNewFiles?: boolean;
  /** List changed resources by address with counts, without fields or diffs (huge plans). */
  compact?: boolean;
  /** Addresses printed in full even when compact. */
  showDiff?: string[];
}

/** Above this many changed resources a plan prints compact unless --show-diff all asks otherwise. */
export const COMPACT_THRESHOLD = 200;

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** One line for a change in a compact plan: address, reason and what it touches. */
function compactChange(c: Colors, ch: PlannedChange): string {
  // Each read once: a planned create makes its lists anew on each read.
  const fields = ch.fields.length, files = ch.files.length;
  const parts = [fields ? plural(fields, "field") : "", files ? plural(files, "file") : ""].filter(Boolean);
  return `  ${paint(c, ch.action, `${SYMBOL[ch.action]} ${ch.address}`)}${ch.reason ? c.dim(` (${ch.reason})`) : ""}${parts.length ? c.dim(` [${parts.join(", ")}]`) : ""}`;
}

function paint(c: Colors, action: PlannedChange["action"], s: string): string {
  return action === "create" ? c.green(s) : action === "delete" ? c.red(s) : action === "replace" ? c.magenta(s) : c.yellow(s);
}

/** A unified diff as indented lines, coloured by kind. */
export function diffLines(c: Colors, diff: string, indent: string): string[] {
  return diff.trimEnd().split("\n").map((l) => {
    const line = indent + l;
    if (l.startsWith("+++") || l.startsWith("---")) return c.bold(line);
    if (l.startsWith("@@")) return c.cyan(line);
    if (l.startsWith("+")) return c.green(line);
    if (l.startsWith("-")) return c.red(line);
    return line;
  });
}

/** Renders one change: header, fields, files. */
function renderChange(c: Colors, ch: PlannedChange, opts: TextOptions): string[] {
  const why = ch.reason ?? (ch.action === "delete" ? `last declared in ${ch.declaredIn ?? "an unknown file"}, no longer declared` : undefined);
  const out = [`  ${paint(c, ch.action, `${SYMBOL[ch.action]} ${ch.address}`)}${why ? c.dim(` (${why})`) : ""}`];
  for (const n of ch.notes ?? []) out.push(c.cyan(`      # ${n}`));
  if (ch.action !== "delete") {
    for (const f of ch.fields) {
      const line = ch.action === "create" ? `${f.path} = ${formatValue(f.new)}` : `${f.path}: ${formatValue(f.old)} -> ${formatValue(f.new)}`;
      out.push(`      ${line}`);
    }
  }
  for (const f of ch.files) {
    const stats = c.dim(`(+${f.added} -${f.removed})`);
    const drift = f.drift ? c.yellow(f.drift === "missing" ? " missing on disk" : " changed outside bootplan") : "";
    out.push(`      ${paint(c, f.action, `${SYMBOL[f.action]} ${f.path}`)}${drift} ${stats}`);
    if (f.action === "update" || f.drift || (f.action === "create" && ch.action !== "create") || (f.action === "create" && opts.showNewFiles)) {
      for (const l of diffLines(c, f.diff, "          ")) out.push(l);
    }
  }
  return out;
}

/** The whole plan as terminal text; the last line is the summary. */
export function renderPlanText(plan: Plan, opts: TextOptions): string {
  const c: Colors = pc.createColors(opts.color);
  const out: string[] = [];
  for (const w of plan.warnings) out.push(c.yellow(`Warning: ${w}`));
  if (plan.targets.length) out.push(c.yellow(`Note: planning only ${plan.targets.join(", ")} and their dependencies (--target).`));
  if (plan.changes.length) {
    out.push(`bootplan will perform these actions on stack ${c.bold(plan.stack)}:`);
    for (const action of ORDER) {
      const group = plan.changes.filter((ch) => ch.action === action);
      if (!group.length) continue;
      out.push("", c.bold(`${group.length} ${group.length === 1 ? "resource" : "resources"} ${HEADING[action]}:`));
      // Not push(...): a CM index of 100,000 nodes renders more lines than a call may take arguments.
      for (const ch of group) for (const l of opts.compact && !opts.showDiff?.includes(ch.address) ? [compactChange(c, ch)] : renderChange(c, ch, opts)) out.push(l);
    }
    out.push("");
  }
  if (plan.summary.drifted) out.push(c.yellow(`${plural(plan.summary.drifted, "resource")} changed outside bootplan: apply restores what the stack declares, keeping overwritten bytes under <root>/.bootplan-drift/.`));
  if (opts.compact && plan.changes.length) out.push(c.dim("Compact plan: see one resource's diff with bootplan plan --show-diff ADDRESS (or --show-diff all), or the saved plan (--out) with --json."));
  out.push(c.bold(summaryLine(plan.summary)));
  return out.join("\n") + "\n";
}
