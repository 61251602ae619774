/** Plugin errors: each names the plugin, and for hooks the hook and the target. */
import { BootplanError } from "../errors.js";

/** A plugin that cannot be loaded, or whose definition is invalid. */
export class PluginLoadError extends BootplanError {
  readonly code = "plugin.invalid";
}

/** A hook that threw, returned something it may not, or ran out of time. */
export class PluginHookError extends BootplanError {
  readonly code: string;
  constructor(
    readonly plugin: string,
    readonly hook: string,
    readonly target: string,
    readonly reason: string,
    code = "plugin.hook-failed",
  ) {
    // No "TARGET: " inside: the engine strips that prefix from a resource's error.
    super(`plugin ${plugin}: hook ${hook} for ${target} failed: ${reason}`);
    this.code = code;
  }
}
