/** The provider contract: Pulumi's dynamic ResourceProvider, with every method bootplan's engine calls. */
import type * as pulumi from "@pulumi/pulumi";

/** A Pulumi dynamic provider implementing all six methods (check, diff, create, read, update, delete). */
export type BootplanProvider = Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;

/** Input keys that carry secret values into a provider at apply time; never recorded or shown. */
export const SECRET_INPUT = "__secrets";

/** Output keys a provider computes; they are not inputs and never cause a diff. */
export const COMPUTED_OUTPUTS = ["fileHashes"];
