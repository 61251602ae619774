/** Plan-time compatibility errors: a target outside the list that governs one of its installables. */
import { BootplanError } from "../errors.js";

/** One attribute of one target outside the governing list of one installable. */
export class IncompatibleTargetError extends BootplanError {
  readonly code = "compat.incompatible";
  constructor(
    /** The target's address, e.g. system.gpu01. */
    readonly address: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every incompatibility found in the planned targets; the plan stops before anything is written. */
export class IncompatibleTargets extends BootplanError {
  readonly code = "compat.incompatible";
  constructor(readonly errors: IncompatibleTargetError[]) {
    super(errors[0]?.message + (errors.length > 1 ? ` (and ${errors.length - 1} more incompatibilit${errors.length > 2 ? "ies" : "y"})` : ""));
  }
}
