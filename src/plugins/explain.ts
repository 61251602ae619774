/** `bootplan explain system.NAME --plugins`: which plugins apply to a system, why, and which hooks they bring. */
import pc from "picocolors";
import type { Stack } from "../model/stack.js";
import { APPLY_HOOKS, loadPlugins, PLAN_HOOKS } from "./load.js";
import { checkSelector, type SelectorCheck } from "./selector.js";

/** One plugin as explained for one system. */
export interface ExplainedPlugin {
  name: string;
  version: string | null;
  module: string;
  enabled: boolean;
  applies: boolean;
  /** Where the selector is declared: the plugin module, or the stack entry that replaces it. */
  selectorFrom: string | null;
  checks: SelectorCheck[];
  planHooks: string[];
  applyHooks: string[];
}

/** The plugins explanation of one system. */
export interface PluginsExplanation {
  system: string;
  plugins: ExplainedPlugin[];
}

/** Loads the stack's plugins and matches each against the system. */
export async function explainPlugins(stack: Stack, systemName: string): Promise<PluginsExplanation> {
  const sys = stack.systems[systemName];
  const profile = stack.profiles[sys.profile];
  const distro = stack.distros[profile.distro];
  const loaded = new Map((await loadPlugins(stack, { cache: false })).map((p) => [p.name, p]));
  const plugins = Object.values(stack.plugins).sort((a, b) => (a.name < b.name ? -1 : 1)).map((ref): ExplainedPlugin => {
    const p = loaded.get(ref.name);
    if (!p) return { name: ref.name, version: null, module: ref.rel, enabled: false, applies: false, selectorFrom: null, checks: [], planHooks: [], applyHooks: [] };
    const checks = checkSelector(p.selector, sys, profile, distro);
    return {
      name: p.name, version: p.version, module: p.rel, enabled: true, applies: checks.every((c) => c.ok), selectorFrom: p.selector.from, checks,
      planHooks: PLAN_HOOKS.filter((h) => typeof p.definition[h] === "function"),
      applyHooks: APPLY_HOOKS.filter((h) => typeof p.definition[h] === "function"),
    };
  });
  return { system: systemName, plugins };
}

/** The explanation as terminal text. */
export function renderPluginsExplanation(e: PluginsExplanation, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const applying = e.plugins.filter((p) => p.applies).length;
  const out = [c.bold(`system.${e.system}: ${applying} of ${e.plugins.length} plugin${e.plugins.length === 1 ? "" : "s"} appl${applying === 1 ? "ies" : "y"}`)];
  for (const p of e.plugins) {
    const head = `${p.name}${p.version ? ` ${p.version}` : ""} (${p.module})`;
    if (!p.enabled) {
      out.push(`  ${c.dim(`- ${head}: disabled in the stack (enabled: false)`)}`);
      continue;
    }
    out.push(`  ${p.applies ? c.green(`+ ${head}: applies`) : c.dim(`- ${head}: does not apply`)}`);
    out.push(`      selector from ${p.selectorFrom}`);
    for (const ch of p.checks) out.push(`      ${ch.ok ? c.green("ok") : c.red("no")}  ${ch.criterion}: ${ch.why}`);
    const hooks = [...p.planHooks.map((h) => `${h} (plan time)`), ...p.applyHooks.map((h) => `${h} (apply time)`)];
    out.push(`      hooks: ${hooks.join(", ") || "none"}`);
  }
  if (!e.plugins.length) out.push("  the stack has no plugins (modules in plugins/ or entries under plugins:)");
  return out.join("\n") + "\n";
}
