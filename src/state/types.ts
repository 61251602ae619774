/** The recorded state of a stack: what bootplan last did, resource by resource. */

/** Actions a plan can hold for one resource. */
export type Action = "create" | "update" | "replace" | "delete" | "no-op";

/** What is recorded for one resource after an operation completed. */
export interface ResourceRecord {
  kind: string;
  /** The provider's id (for bootplan's providers, the resource name). */
  id: string;
  /** The provider's outputs: its inputs (secrets only as keyed digests) plus what it computed. */
  outputs: Record<string, unknown>;
  /** Addresses this resource depended on when it was last written. */
  dependsOn: string[];
  /** The stack file that declared it when it was last written (relative to the stack directory). */
  declaredIn?: string;
}

/** An operation that started and has not been seen to finish (a crash or Ctrl-C mid-way). */
export interface PendingOperation {
  address: string;
  action: Exclude<Action, "no-op">;
  startedAt: string;
}

/** The state document, as validated by schemas/state.schema.json. */
export interface StateDocument {
  version: 1;
  /** Fixed when the state is created; a saved plan only applies to the same lineage. */
  lineage: string;
  /** Incremented on every recorded change. */
  serial: number;
  stack: string;
  resources: Record<string, ResourceRecord>;
  pending: PendingOperation[];
}

/** A value, or a promise of it: the file backend answers at once, a database backend asynchronously. */
export type MaybePromise<T> = T | Promise<T>;

/** Records one apply's progress durably, operation by operation, then settles it into the state file. */
export interface StateWriter {
  /** Marks an operation as started (kept as pending until it completes). */
  begin(address: string, action: PendingOperation["action"]): MaybePromise<void>;
  /** Records a resource after a create, update or replace completed; durable once it resolves. */
  record(address: string, rec: ResourceRecord): MaybePromise<void>;
  /** Forgets a resource after its delete completed; durable once it resolves. */
  remove(address: string): MaybePromise<void>;
  /** Settles what was recorded (the file backend writes the whole state and drops the journal); safe to call once at the end. */
  commit(): MaybePromise<StateDocument>;
  /** The state as recorded so far. */
  current(): StateDocument;
}

/** A writer that records synchronously (the file backend's). */
export interface SyncStateWriter extends StateWriter {
  begin(address: string, action: PendingOperation["action"]): void;
  record(address: string, rec: ResourceRecord): void;
  remove(address: string): void;
  commit(): StateDocument;
}

/** Where state lives; the file backend is the default. */
export interface StateStore {
  /** The recorded state (an empty one when none exists yet), including operations journaled by an interrupted apply. */
  read(): MaybePromise<StateDocument>;
  /**
   * The recorded state with only the resources at `addresses` (lineage, serial and pending operations
   * whole): what applying a saved plan needs. A store that can read by resource makes a one-system
   * change cost its own rows, not the whole fleet's; the next writer() starts from this document.
   */
  readFor?(addresses: Iterable<string>): Promise<StateDocument>;
  /** Starts recording an apply on top of the current state. */
  writer(): MaybePromise<StateWriter>;
  /** True when recorded progress waits to be settled (e.g. a journal left by a failed commit); apply then commits even with no changes. */
  unsettled?(): boolean;
}

/** Who holds a lock, written into the lock file. */
export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}
