/** `bootplan validate [DIR]`: checks a stack without reading or touching state. */
import { loadStack } from "../../stack/load.js";
import { loadPlugins } from "../../plugins/load.js";
import type { Io } from "../output.js";

/** Validates the stack (and renders each profile's answer file once) and prints what it declares. */
export async function validateCommand(dir: string, _opts: unknown, io: Io): Promise<number> {
  const s = loadStack(dir);
  // Plugins are loaded too: a module that fails to load, or options its schema refuses, make the stack invalid.
  const plugins = await loadPlugins(s, { cache: false });
  (await import("../../graph/check-render.js")).checkRendering(s);
  const n = (o: object): number => Object.keys(o).length;
  io.out(`Stack ${s.name} is valid: ${n(s.systems)} systems${n(s.guests) ? ` (${n(s.guests)} of them guests)` : ""}, ${n(s.profiles)} profiles, ${n(s.distros)} distros, ${n(s.repos)} repos, ${plugins.length} plugins (${s.files.length} files).\n`);
  return 0;
}
