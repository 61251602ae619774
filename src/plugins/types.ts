/** Plugins as a stack declares them: resolved at stack load (no plugin code runs then). */
import type { SourcePosition } from "../errors.js";
import type { CompiledSelector } from "./selector.js";

/** One plugin of a stack: a module in plugins/, an entry under `plugins:`, or both. */
export interface PluginRef {
  /** The plugin's name: the key under `plugins:` and the module's file name in plugins/. */
  name: string;
  /** Absolute path of the module. */
  file: string;
  /** The module's path relative to the stack directory, for messages. */
  rel: string;
  /** `plugins.NAME.options` as declared (undefined when not declared). */
  options?: unknown;
  /** `plugins.NAME.appliesTo` when the stack replaces the plugin's own selector. */
  appliesTo?: CompiledSelector;
  /** False when the stack sets `enabled: false`: the plugin is not loaded and applies to nothing. */
  enabled: boolean;
  /** Where the stack declares it, when it does. */
  declared?: SourcePosition;
  /** Positions inside the stack entry (e.g. ["options", "level"]), for option errors. */
  at?: (path: ReadonlyArray<string | number>) => SourcePosition;
}
