/**
 * A planned create. Its field list (every input, old undefined) and its file list (every rendered
 * file, added) are made when someone reads them, not kept: the compact plan of a first apply only
 * counts them, and at 10,000 systems they were a fifth of the live heap when planning ends, the peak of
 * a first apply. The inputs they are read from are in the plan anyway. A class, not getters per object
 * (closures cost more than the lists), so a spread would lose them: notes are added with withNotes,
 * and JSON goes through toJSON. Each read makes new objects: readers take a list once.
 */
import { diffFields, diffFiles } from "./field-diff.js";
import type { FieldChange, FileChange, PlannedChange } from "./types.js";

type Inputs = Record<string, unknown>;

export class PlannedCreate implements PlannedChange {
  readonly action = "create" as const;
  declaredIn?: string;
  notes?: string[];
  #inputs: Inputs | undefined;
  #fields: FieldChange[] | undefined;
  #files: FileChange[] | undefined;

  constructor(
    readonly address: string,
    readonly kind: string,
    inputs: Inputs,
    readonly dependsOn: string[],
    more: { declaredIn?: string; notes?: string[] } = {},
  ) {
    this.#inputs = inputs;
    if (more.declaredIn !== undefined) this.declaredIn = more.declaredIn;
    if (more.notes !== undefined) this.notes = more.notes;
  }

  /** Every input as a field, worked out again on each read (callers read it once or twice). */
  get fields(): FieldChange[] {
    return this.#fields ?? diffFields(undefined, this.#inputs);
  }

  /** Replaces the list for good (apply empties both once the plan has been shown, and the inputs go). */
  set fields(list: FieldChange[]) {
    this.#fields = list;
    if (this.#files) this.#inputs = undefined;
  }

  /** Every rendered file as created (each diff made when read), worked out again on each read. */
  get files(): FileChange[] {
    return this.#files ?? diffFiles(undefined, this.#inputs?.files as Record<string, string> | undefined);
  }

  /** Replaces the list for good. */
  set files(list: FileChange[]) {
    this.#files = list;
    if (this.#fields) this.#inputs = undefined;
  }

  /** The same create with `notes` added. */
  withNotes(notes: string[]): PlannedCreate {
    const copy = new PlannedCreate(this.address, this.kind, this.#inputs ?? {}, this.dependsOn, {
      declaredIn: this.declaredIn, notes: [...(this.notes ?? []), ...notes],
    });
    if (this.#fields) copy.fields = this.#fields;
    if (this.#files) copy.files = this.#files;
    return copy;
  }

  /** The plain change, as saved plans and --json carry it. */
  toJSON(): PlannedChange {
    return {
      address: this.address, kind: this.kind, action: this.action, ...(this.declaredIn !== undefined ? { declaredIn: this.declaredIn } : {}),
      fields: this.fields, files: this.files, dependsOn: this.dependsOn, ...(this.notes ? { notes: this.notes } : {}),
    };
  }
}

