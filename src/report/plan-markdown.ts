/**
 * The pull-request rendering of a plan: a hidden marker for the sticky comment, the summary line and
 * per-action counts first, then each changed resource by address with its field changes and its file
 * diffs in ```diff blocks — as many as fit in one GitHub comment, then a line saying how many more.
 */
import type { Plan, PlannedChange } from "../engine/types.js";
import { summaryLine } from "../engine/types.js";
import { formatValue } from "./format-value.js";
import { code, cutDiff, fence, fitSections, marker } from "./markdown.js";
import { SYMBOL } from "./plan-text.js";

const ORDER: PlannedChange["action"][] = ["create", "update", "replace", "delete"];
const VERB: Record<PlannedChange["action"], string> = { create: "to add", update: "to change", replace: "to replace", delete: "to destroy" };

function fieldLine(ch: PlannedChange, f: PlannedChange["fields"][number]): string {
  return ch.action === "create" ? `- ${code(f.path)} = ${code(formatValue(f.new))}` : `- ${code(f.path)}: ${code(formatValue(f.old))} → ${code(formatValue(f.new))}`;
}

/** One changed resource: heading, notes, fields, then its files (diffs for updates, a list for creates). */
function section(ch: PlannedChange): string {
  const out = [`#### ${code(`${SYMBOL[ch.action]} ${ch.address}`)}${ch.reason ? ` (${ch.reason})` : ""}`, ""];
  for (const n of ch.notes ?? []) out.push(`> ${n.replace(/\n/g, " ")}`, "");
  if (ch.action !== "delete") for (const f of ch.fields) out.push(fieldLine(ch, f));
  const files = ch.files; // read once: a planned create makes its list anew on each read
  const shown = files.filter((f) => f.action === "update" || f.drift || (f.action === "create" && ch.action !== "create"));
  for (const f of files.filter((x) => !shown.includes(x))) out.push(`- ${code(`${SYMBOL[f.action]} ${f.path}`)} (+${f.added} -${f.removed})`);
  for (const f of shown) {
    out.push("", `${code(`${SYMBOL[f.action]} ${f.path}`)}${f.drift ? ` — ${f.drift === "missing" ? "missing on disk" : "changed outside bootplan"}` : ""} (+${f.added} -${f.removed})`, "", fence(cutDiff(f.diff)));
  }
  // Diff lines never are empty (context lines start with a space), so only layout blank lines collapse.
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}

/** Markdown for a PR comment, never longer than GitHub's 65,536-character limit. */
export function renderPlanMarkdown(plan: Plan, limit?: number): string {
  const s = plan.summary;
  const head = [marker("plan", plan.stack), `### bootplan plan for ${code(plan.stack)}`, "", `**${summaryLine(s)}**${s.unchanged ? ` (${s.unchanged} unchanged)` : ""}`];
  if (plan.refreshed === "off") head.push("", "_Not refreshed (--refresh=false): changes made outside bootplan are not shown._");
  if (!plan.changes.length) return head.join("\n") + "\n";
  head.push("", "| action | resources |", "| --- | ---: |");
  for (const a of ORDER) {
    const n = plan.changes.filter((c) => c.action === a).length;
    if (n) head.push(`| ${SYMBOL[a]} ${VERB[a]} | ${n} |`);
  }
  if (s.drifted) head.push(`| ⚠ changed outside bootplan | ${s.drifted} |`);
  for (const w of plan.warnings.slice(0, 10)) head.push("", "> [!WARNING]", `> ${w.length > 500 ? `${w.slice(0, 499)}…` : w}`);
  if (plan.targets.length) head.push("", `Planning only ${plan.targets.map((t) => code(t)).join(", ")} and their dependencies (--target).`);
  const sections = ORDER.flatMap((a) => plan.changes.filter((c) => c.action === a)).map(section);
  const tail = `<sub>Plan made against state serial ${plan.state.serial}; apply the saved plan to apply exactly this.</sub>\n`;
  return fitSections(head.join("\n") + "\n", sections, tail, (n) => `**${n} more ${n === 1 ? "resource" : "resources"} not shown; see the job log / the saved plan artifact.**`, limit);
}
