/** Renders a CM explanation for the terminal: one block per CM system, one line per merged value. */
import pc from "picocolors";
import type { CmExplanation } from "./explain.js";

function show(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The text of `bootplan explain system.NAME --cm`. */
export function renderCmExplanation(e: CmExplanation, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const lines: string[] = [`system.${e.system}: CM bindings (${e.rule})`];
  if (!e.bindings.length) lines.push("", "  not bound to any CM system (add manage: to the system or its profile)");
  for (const b of e.bindings) {
    lines.push("", `${c.bold(b.address)}  ${b.cm} (${b.type}) receives ${b.node}`, `  merged: ${b.layers.join(" < ")}`);
    const rows = b.values.map((v) => [`${v.path} = ${show(v.value)}`, v.from, v.at]);
    const w0 = Math.max(0, ...rows.map((r) => r[0].length));
    const w1 = Math.max(0, ...rows.map((r) => r[1].length));
    for (const [a, from, at] of rows) lines.push(`  ${a.padEnd(w0)}  ${c.cyan(from.padEnd(w1))}  ${c.dim(at)}`);
    if (!rows.length) lines.push("  (bound with no management class)");
  }
  return lines.join("\n") + "\n";
}
