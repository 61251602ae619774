/**
 * `bootplan explain ADDRESS [DIR]`: why a target gets what it gets. Today one explanation exists
 * (compatibility: requirement lists, external lists, attribute checks); `explainers` is the switch
 * a flag such as --cm adds another to.
 */
import { UsageError } from "../../errors.js";
import type { Stack } from "../../model/stack.js";
import { loadStack } from "../../stack/load.js";
import type { CliConfig } from "../options.js";
import { useColor, type Io } from "../output.js";

/** One kind of explanation: data for --json and text for the terminal. */
interface Explainer {
  explain(stack: Stack, system: string, opts: CliConfig): Promise<{ data: unknown; text: (color: boolean) => string }>;
}

const compatExplainer: Explainer = {
  async explain(stack, system, opts) {
    const { explainSystem } = await import("../../compat/explain.js");
    const { renderCompatExplanation } = await import("../../report/explain-compat-text.js");
    const profile = stack.profiles[stack.systems[system].profile];
    if (opts.package !== undefined && !profile.packages.includes(opts.package)) {
      throw new UsageError(`--package ${opts.package}: system.${system} does not install it (profile ${profile.name} lists: ${profile.packages.join(", ") || "nothing"})`);
    }
    const e = explainSystem(stack, system, { package: opts.package })!;
    return { data: e, text: (color) => renderCompatExplanation(e, { color }) };
  },
};

const cmExplainer: Explainer = {
  async explain(stack, system) {
    const { explainCm } = await import("../../cm/explain.js");
    const { renderCmExplanation } = await import("../../cm/explain-text.js");
    const e = explainCm(stack, system)!;
    return { data: e, text: (color) => renderCmExplanation(e, { color }) };
  },
};

const pluginsExplainer: Explainer = {
  async explain(stack, system) {
    const { explainPlugins, renderPluginsExplanation } = await import("../../plugins/explain.js");
    const e = await explainPlugins(stack, system);
    return { data: e, text: (color) => renderPluginsExplanation(e, { color }) };
  },
};

/** Picks the explanation the flags ask for. */
function explainerFor(opts: CliConfig): Explainer {
  return opts.plugins ? pluginsExplainer : opts.cm ? cmExplainer : compatExplainer;
}

/** Explains `address` (system.NAME) in the stack in `dir`; exit 0 whether or not the target fits. */
export async function explainCommand(address: string, dir: string, opts: CliConfig, io: Io): Promise<number> {
  const m = /^system\.(.+)$/.exec(address);
  if (!m) throw new UsageError(`explain: expected a system address like system.web01, got ${JSON.stringify(address)}`);
  const stack = loadStack(dir);
  if (!stack.systems[m[1]]) {
    throw new UsageError(`explain: no system named ${JSON.stringify(m[1])} in stack ${stack.name} (systems: ${Object.keys(stack.systems).join(", ") || "none"})`);
  }
  if (opts.useFacts && stack.systems[m[1]].ssh) {
    const { useDiscoveredFacts, withSshPool } = await import("../ssh-targets.js");
    await withSshPool(opts, () => useDiscoveredFacts(stack, io, [address]));
  }
  const r = await explainerFor(opts).explain(stack, m[1], opts);
  io.out(opts.json ? JSON.stringify(r.data, null, 2) + "\n" : r.text(useColor(opts, io)));
  return 0;
}
