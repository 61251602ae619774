/** The terminal rendering of a compatibility explanation: each installable's decision, step by step. */
import pc from "picocolors";
import type { ExplainedInstallable, Explanation } from "../compat/explain.js";

type Colors = Pick<typeof pc, "green" | "red" | "yellow" | "bold" | "dim">;

function show(v: unknown): string {
  return v === null || v === undefined ? "(not declared)" : typeof v === "string" ? v : JSON.stringify(v);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

function title(i: ExplainedInstallable): string {
  return `${i.kind} ${i.name}${i.kind === "package" ? ` ${i.version}` : ""}${i.optional ? " (optional)" : ""}`;
}

function governs(i: ExplainedInstallable): string {
  const own = i.checks.filter((c) => c.list === null).map((c) => c.attribute);
  switch (i.rule) {
    case "none-applies":
      return "its own list (no external list applies)";
    case "same-as-own":
      return `its own list (external list ${i.redundantList} applies but declares exactly the own attributes)`;
    default: {
      const named = i.checks.filter((c) => c.list !== null).map((c) => c.attribute);
      return `external list ${i.governingList} for ${named.join(", ")} (it differs from the own list)` + (own.length ? `; its own list for ${own.join(", ")}` : "");
    }
  }
}

function renderInstallable(c: Colors, i: ExplainedInstallable): string[] {
  const out = [c.bold(`${title(i)}`) + c.dim(` (${i.at})`)];
  out.push(`  own list:       ${i.ownList.length ? i.ownList.map((r) => `${r.attribute} ${r.text}`).join(", ") : "(no requirements)"}`);
  for (const r of i.ownList) out.push(c.dim(`                    ${r.attribute}: from ${r.origin} at ${r.at}`));
  if (!i.externalLists.length) out.push(`  external lists: none name ${i.kind} ${i.name}`);
  else {
    out.push(`  external lists: ${i.externalLists.length} name ${i.kind} ${i.name}`);
    for (const l of i.externalLists) {
      const rank = i.outranked.includes(l.name) ? `, outranked by ${i.governingList ?? i.redundantList} (priority)` : "";
      out.push(`    ${l.name} (${l.at}): ${l.applies ? c.green("applies") : "does not apply"}: ${l.why}${l.priority !== null ? `, priority ${l.priority}` : ""}${rank}`);
      out.push(c.dim(`      reason: ${l.reason}`));
    }
  }
  out.push(`  governs:        ${governs(i)}`);
  if (!i.checks.length) out.push("  check:          nothing to check");
  else {
    out.push("  check:");
    const w = Math.max(...i.checks.map((k) => k.attribute.length));
    const vw = Math.max(...i.checks.map((k) => show(k.value).length));
    const aw = Math.max(...i.checks.map((k) => k.text.length));
    for (const k of i.checks) {
      const verdict = k.ok ? c.green("ok") : c.red(`FAILS: ${k.attribute} ${k.failure}`);
      const from = k.list ? `external list ${k.list}` : "own list";
      out.push(`    ${pad(k.attribute, w)}  ${pad(show(k.value), vw)}  allowed ${pad(k.text, aw)}  ${verdict}  ${c.dim(`(${from}; value ${k.valueOrigin ?? "missing"})`)}`);
    }
  }
  const why = i.onlyThroughList ? `, only because external list ${i.governingList} governs (its own list alone refuses this target)` : "";
  const result = i.compatible ? c.green(`compatible: ${i.outcome}${why}`) : i.optional ? c.yellow(`incompatible: ${i.outcome}`) : c.red(`incompatible: ${i.outcome}`);
  out.push(`  result:         ${result}`);
  return out;
}

/** The explanation as terminal text. */
export function renderCompatExplanation(e: Explanation, opts: { color: boolean }): string {
  const c: Colors = pc.createColors(opts.color);
  const attrs = Object.entries(e.attributes).map(([k, a]) => `${k}=${show(a.value)}` + c.dim(` (${a.origin})`));
  const out = [c.bold(`${e.target}`) + ` (profile ${e.profile}, distro ${e.distro})`, `attributes: ${attrs.join(", ")}`];
  for (const i of e.installables) out.push("", ...renderInstallable(c, i));
  if (e.unchecked.length) out.push("", `not declared under packages: (no requirement list, installed as listed): ${e.unchecked.join(", ")}`);
  out.push("", e.compatible ? c.green(`${e.target} can be planned.`) : c.red(`${e.target} cannot be planned: an installable it needs fails its governing list.`));
  return out.join("\n") + "\n";
}
