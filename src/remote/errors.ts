/** Errors of remote work over SSH: each names the target and the cause in one line, with a stable code. */
import { BootplanError } from "../errors.js";

/** A remote operation failed (connect, authenticate, run, upload); `transient` ones are worth retrying. */
export class RemoteError extends BootplanError {
  constructor(
    readonly code: string,
    message: string,
    /** True for network errors that may pass (refused, reset, timed out). */
    readonly transient = false,
  ) {
    super(message);
  }
}

/** The target offered a host key that is not the pinned one (or none is pinned for it): never accepted. */
export class HostKeyError extends BootplanError {
  readonly code = "ssh.host-key";
  constructor(
    message: string,
    /** SHA256 fingerprints the stack pins for the target. */
    readonly expected: string[],
    /** SHA256 fingerprint the target offered. */
    readonly offered: string,
  ) {
    super(message);
  }
}

/** The helper ran and failed: its exit code (see README "The helper client") and its one-line error. */
export class HelperError extends BootplanError {
  readonly code: string;
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.code = `helper.exit-${exitCode}`;
  }
}
