/** The pull-request rendering of a plan: a summary line, then the details in a collapsible block. */
import type { Plan } from "../engine/types.js";
import { summaryLine } from "../engine/types.js";
import { renderPlanText } from "./plan-text.js";

/** Markdown for a PR comment; the detail is the terminal plan without colour, in a diff block. */
export function renderPlanMarkdown(plan: Plan): string {
  const s = plan.summary;
  const title = `### bootplan plan for \`${plan.stack}\``;
  const line = `**${summaryLine(s)}**` + (s.unchanged ? ` (${s.unchanged} unchanged)` : "");
  if (!plan.changes.length) return `${title}\n\n${line}\n`;
  const detail = renderPlanText(plan, { color: false, showNewFiles: false }).replace(/```/g, "`\u200b``");
  const warnings = plan.warnings.map((w) => `> [!WARNING]\n> ${w}\n`).join("\n");
  return `${title}\n\n${line}\n\n${warnings}<details><summary>Show plan</summary>\n\n\`\`\`diff\n${detail}\`\`\`\n\n</details>\n`;
}
