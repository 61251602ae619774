/**
 * The plugin API, published as `bootplan/plugin`: what a plugin module in a stack's `plugins/` folder
 * imports to declare itself. Types only, plus `definePlugin`, which returns its argument unchanged so
 * an editor can check and complete the definition. Everything a hook receives is a copy: changing it
 * changes nothing but the hook's own result.
 *
 * Plan-time hooks (kernelArgs, answerFile, files, cm) run while the plan is built, so the plan shows
 * their effect; they must be synchronous and pure (same input, same output; no I/O). Apply-time hooks
 * (beforeProvision, afterProvision, onFailure) run around the writing of a system's files and may do
 * anything, within their timeout.
 */

/** JSON Schema (draft 2020-12) for a plugin's options; the stack's `plugins.NAME.options` is validated against it. */
export type JsonSchema = Record<string, unknown>;

/** An attribute expression, as in `requires:` and external lists: allowed values, `{min, max}` or a version range. */
export type AttributeExpression = (string | number)[] | { min?: number; max?: number } | string;

/**
 * Which systems a plugin applies to. Every criterion given must match (AND); within a list any entry
 * may match (OR). `{}` selects every system.
 */
export interface Selector {
  /** Globs on system names (picomatch): `rack2-*`, `web0[1-4]`. */
  names?: string[];
  /** Profile names or globs; a system matches through its profile or any profile it inherits from. */
  profiles?: string[];
  /** Distro names or globs. */
  distros?: string[];
  /** Attribute expressions on the system's attributes (declared, plus arch, os, osFamily, platform from its distro). */
  attributes?: Record<string, AttributeExpression>;
}

/** The system a hook runs for, as plain data. */
export interface PluginSystem {
  name: string;
  hostname: string;
  /** Declared attributes plus those derived from the distro (arch, os, osFamily, platform). */
  attributes: Record<string, unknown>;
  interfaces: { name: string | null; mac: string; ip: string | null; prefix: number | null; gateway: string | null; dns: string[] }[];
  netboot: boolean;
  kernelArgs: string[];
}

/** What every plan-time hook receives. */
export interface PlanContext<O = Record<string, unknown>> {
  stack: string;
  system: PluginSystem;
  profile: { name: string; lineage: string[]; packages: string[]; kernelArgs: string[]; answerFormat: "kickstart" | "preseed" | "autoinstall" };
  distro: { name: string; family: string; release: string; arch: string };
  /** The options declared in the stack (`plugins.NAME.options`), defaults from the schema filled in. */
  options: O;
}

/** A system's binding to one CM system, in that CM type's own format (e.g. puppet: classes, parameters, environment). */
export interface CmContext<O = Record<string, unknown>> extends PlanContext<O> {
  cm: { name: string; type: "puppet" | "ansible" | "salt" | "chef" };
}

/** The operation an apply-time hook runs around. */
export type ProvisionAction = "create" | "update" | "replace";

/** What every apply-time hook receives. */
export interface ApplyContext<O = Record<string, unknown>> {
  stack: string;
  /** The resource address, e.g. `system.web01`. */
  address: string;
  action: ProvisionAction;
  system: { name: string; hostname: string; profile: string; distro: string; attributes: Record<string, unknown>; interfaces: unknown[] };
  options: O;
  /** bootplan's environment (so a plugin can read e.g. a webhook URL without it being in the stack). */
  env: Record<string, string | undefined>;
  /** Aborted when the hook's timeout passes: hand it to fetch and the like. */
  signal: AbortSignal;
}

/** onFailure also receives what failed. */
export interface FailureContext<O = Record<string, unknown>> extends ApplyContext<O> {
  error: string;
}

/** Apply-time hook names. */
export type ApplyHookName = "beforeProvision" | "afterProvision" | "onFailure";

/** Plan-time hook names. */
export type PlanHookName = "kernelArgs" | "answerFile" | "files" | "cm";

/** A plugin definition: the default export of a plugin module. */
export interface PluginDefinition<O = Record<string, unknown>> {
  /** The plugin's name: how the stack refers to it (`plugins.NAME`) and how the plan attributes its changes. */
  name: string;
  version: string;
  description?: string;
  /** Which systems it applies to; a stack may replace it with `plugins.NAME.appliesTo`. */
  appliesTo: Selector;
  /** JSON Schema of the options; without one the plugin accepts no options. */
  optionsSchema?: JsonSchema;
  /** Per apply-time hook timeout in milliseconds (default 60000). */
  timeouts?: Partial<Record<ApplyHookName, number>>;

  /** Extra kernel arguments for the installer, after the profile's and the system's. */
  kernelArgs?(ctx: PlanContext<O>): string[];
  /** The answer file (preseed, kickstart, or autoinstall user-data) in, the changed text out. */
  answerFile?(ctx: PlanContext<O>, text: string): string;
  /** Extra files for the system: path relative to the provisioning root -> content. */
  files?(ctx: PlanContext<O>): Record<string, string>;
  /** A system's binding to one CM system in, the changed binding out (add classes, groups, vars...). */
  cm?(ctx: CmContext<O>, binding: Record<string, unknown>): Record<string, unknown>;

  /** Before a system's files are written; a throw fails that system's operation and nothing is written. */
  beforeProvision?(ctx: ApplyContext<O>): void | string | Promise<void | string>;
  /** After they are written; a throw fails the operation (it is not recorded, so the next apply does it again). */
  afterProvision?(ctx: ApplyContext<O>): void | string | Promise<void | string>;
  /** When the operation failed (the provider or another hook); its own failure is reported, not raised. */
  onFailure?(ctx: FailureContext<O>): void | string | Promise<void | string>;
}

/** Declares a plugin; returns the definition unchanged (the function exists for its types). */
export function definePlugin<O = Record<string, unknown>>(definition: PluginDefinition<O>): PluginDefinition<O> {
  return definition;
}
