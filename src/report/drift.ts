/** Drift reports: terminal text, JSON (schemas/drift.schema.json) and a Markdown issue body. */
import pc from "picocolors";
import type { DriftedResource, DriftReport } from "../engine/drift.js";
import { formatValue } from "./format-value.js";
import { code, cutDiff, fence, fitSections, marker } from "./markdown.js";
import { diffLines, type Colors } from "./plan-text.js";

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** The last line: what differs, or that nothing does. */
export function driftSummaryLine(r: DriftReport): string {
  const s = r.summary;
  if (!s.drifted && !s.extraFiles) return `No drift: ${plural(s.checked, "recorded resource")} match what is there.`;
  return `Drift: ${plural(s.drifted, "resource")} changed outside bootplan (${s.changedFiles} changed, ${s.missingFiles} missing, ${plural(s.extraFiles, "extra file")}). Run bootplan plan to see the repair, bootplan apply to restore.`;
}

function fieldText(f: DriftedResource["fields"][number]): string {
  return `${f.path}: ${formatValue(f.old)} recorded, ${formatValue(f.new)} now`;
}

/** The report for a terminal or a log. */
export function renderDriftText(r: DriftReport, opts: { color: boolean }): string {
  const c: Colors = pc.createColors(opts.color);
  const out: string[] = [];
  if (r.drifted.length) out.push(`Drift in stack ${c.bold(r.stack)}: ${r.drifted.length} of ${plural(r.summary.checked, "recorded resource")} differ from what is there:`, "");
  for (const d of r.drifted) {
    out.push(`  ${c.yellow(`~ ${d.address}`)}`);
    for (const f of d.fields) out.push(`      ${fieldText(f)}`);
    for (const f of d.files) {
      out.push(`      ${f.status === "missing" ? c.red(`- ${f.path} missing`) : c.yellow(`~ ${f.path} changed`)}`);
      out.push(...diffLines(c, f.diff, "          "));
    }
  }
  if (r.extraFiles.length) {
    out.push("", "Files in folders bootplan writes to that no resource recorded:");
    for (const f of r.extraFiles) out.push(`  ${c.magenta(`? ${f}`)}`);
  }
  if (out.length) out.push("");
  out.push(c.bold(driftSummaryLine(r)));
  return out.join("\n") + "\n";
}

/** The report as JSON, one document. */
export function renderDriftJson(r: DriftReport): string {
  return JSON.stringify(r, null, 2) + "\n";
}

function section(d: DriftedResource): string {
  const out = [`#### ${code(d.address)}`, ""];
  for (const f of d.fields) out.push(`- ${code(f.path)}: ${code(formatValue(f.old))} recorded, ${code(formatValue(f.new))} now`);
  for (const f of d.files) out.push("", `${code(f.path)} — ${f.status === "missing" ? "missing on disk" : "changed outside bootplan"}`, "", fence(cutDiff(f.diff)));
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}

/** An issue body for a scheduled drift check, within GitHub's size limit, with a marker to find it again. */
export function renderDriftMarkdown(r: DriftReport, limit?: number): string {
  const head = [marker("drift", r.stack), `### bootplan drift in ${code(r.stack)}`, "", `**${driftSummaryLine(r)}**`, ""];
  head.push(`Checked ${plural(r.summary.checked, "recorded resource")} (state serial ${r.state.serial}, ${r.refreshed === "full" ? "every file hashed" : "files hashed where size or times changed"}).`);
  if (!r.drifted.length && !r.extraFiles.length) return head.join("\n") + "\n";
  const sections = r.drifted.map(section);
  if (r.extraFiles.length) sections.push(["#### Files no resource recorded", "", ...r.extraFiles.slice(0, 500).map((f) => `- ${code(f)}`), ...(r.extraFiles.length > 500 ? [`- … and ${r.extraFiles.length - 500} more`] : [])].join("\n"));
  const tail = "`bootplan plan` shows the repair with a diff of what is on disk against what will be written; `bootplan apply` restores it and keeps the overwritten bytes under `<root>/.bootplan-drift/`.\n";
  return fitSections(head.join("\n") + "\n", sections, tail, (n) => `**${n} more not shown; see the job log.**`, limit);
}
