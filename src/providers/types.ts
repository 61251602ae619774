/** The provider contract: Pulumi's dynamic ResourceProvider, with every method bootplan's engine calls. */
import type * as pulumi from "@pulumi/pulumi";

/** A Pulumi dynamic provider implementing all six methods (check, diff, create, read, update, delete). */
export type BootplanProvider = Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;

/** Input keys that carry secret values into a provider at apply time; never recorded or shown. */
export const SECRET_INPUT = "__secrets";

/**
 * Keys that are bookkeeping, not desired configuration: what a provider computed (`fileHashes`),
 * the render-reuse key, plugins' notes and apply-time hook outcomes, and what a provider last observed
 * of the real thing (`observed`: a guest's domain state, a machine's power state). They are recorded
 * but never cause a diff or show in a plan.
 */
export const BOOKKEEPING_KEYS = ["fileHashes", "renderKey", "observed", "pluginHooks", "pluginNotes"];

/**
 * Input key set (true) when a create is the second half of a replace, so a system provider knows to
 * reinstall the running machine rather than only write its boot files; never recorded.
 */
export const REPLACING_INPUT = "__replacing";
