/** The error renderers raise: one line a user can act on; the caller prefixes the system and template. */
import { BootplanError } from "../errors.js";

/** A value or template that cannot be rendered safely into a boot config or answer file. */
export class RenderError extends BootplanError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
