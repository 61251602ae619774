/** Error classes with stable codes; every error a user can hit says what to do in one line. */

/** A place in a stack file, 1-based, as editors show it. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** Formats a position as `file:line:column`. */
export function formatPosition(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}

/** The root of every error bootplan raises on purpose; `code` is stable across releases. */
export abstract class BootplanError extends Error {
  abstract readonly code: string;
  /** User errors are caused by input and print without a stack trace; internal ones are bugs. */
  readonly isUserError: boolean = true;
  override get name(): string {
    return this.constructor.name;
  }
}

/** Invalid stack content, pinned to the file, line and column where it is. */
export class StackError extends BootplanError {
  readonly code: string;
  constructor(
    code: string,
    readonly position: SourcePosition | undefined,
    readonly detail: string,
  ) {
    super(position ? `${formatPosition(position)}: ${detail}` : detail);
    this.code = code;
  }
}

/** Several stack errors found in one pass; the first one leads the message. */
export class StackErrors extends BootplanError {
  readonly code = "stack.invalid";
  constructor(readonly errors: StackError[]) {
    super(errors[0]?.message + (errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? "s" : ""})` : ""));
  }
}

/** The recorded state cannot be used (corrupt, wrong version, locked). */
export class StateError extends BootplanError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A saved plan that no longer matches the stack or state it was made from. */
export class StalePlanError extends BootplanError {
  readonly code = "plan.stale";
}

/** A secret reference that cannot be read. */
export class SecretError extends BootplanError {
  readonly code = "secret.unavailable";
}

/** Bad command-line usage. */
export class UsageError extends BootplanError {
  readonly code = "cli.usage";
}

/** A provider operation failed at runtime; names the resource and the cause. */
export class ResourceError extends BootplanError {
  readonly code: string;
  constructor(
    readonly address: string,
    cause: string,
    code = "resource.failed",
  ) {
    super(`${address}: ${cause}`);
    this.code = code;
  }
}

/** A path that would leave the provisioning root. Always a bug or an attack, never written. */
export class PathEscapeError extends BootplanError {
  readonly code = "path.escape";
}

/** Something bootplan did not expect; reported with a stack trace under --debug. */
export class InternalError extends BootplanError {
  readonly code = "internal";
  override readonly isUserError = false;
}

/** Returns a one-line message for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split("\n")[0] ?? String(err);
  return String(err);
}

/** `bootplan serve` cannot start or keep running (a missing tool or loader, an address in use). */
export class ServeError extends BootplanError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
