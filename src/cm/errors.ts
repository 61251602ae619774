/** Errors of the read-side CM commands (`bootplan enc`, `bootplan inventory`). */
import { BootplanError } from "../errors.js";

/** A lookup in the recorded handoffs failed: no state, an unknown node or CM system, or an ambiguous choice. */
export class CmLookupError extends BootplanError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
