/** The error a package file that cannot be read as a package raises. */
import { BootplanError } from "../errors.js";

/** A package file that is missing, truncated, corrupt or not a package; names the file and the cause. */
export class PackageFileError extends BootplanError {
  readonly code = "package.unreadable";
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}
