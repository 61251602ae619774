/**
 * A planned create. Its field list (every input, old undefined) is made when someone reads it, not
 * kept: the compact plan of a first apply only counts the fields, and at 10,000 systems the lists were
 * a sixth of the live heap when planning ends, the peak of a first apply. The inputs it reads them from
 * are in the plan anyway. A class, not a getter per object (closures cost more than the lists), so a
 * spread would lose the fields: notes are added with withNotes, and JSON goes through toJSON.
 */
import { diffFields } from "./field-diff.js";
import type { FieldChange, FileChange, PlannedChange } from "./types.js";

type Inputs = Record<string, unknown>;

export class PlannedCreate implements PlannedChange {
  readonly action = "create" as const;
  declaredIn?: string;
  notes?: string[];
  #inputs: Inputs | undefined;
  #fields: FieldChange[] | undefined;

  constructor(
    readonly address: string,
    readonly kind: string,
    inputs: Inputs,
    public files: FileChange[],
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

  /** Replaces the list for good (apply empties it once the plan has been shown) and lets the inputs go. */
  set fields(list: FieldChange[]) {
    this.#fields = list;
    this.#inputs = undefined;
  }

  /** The same create with `notes` added. */
  withNotes(notes: string[]): PlannedCreate {
    const copy = new PlannedCreate(this.address, this.kind, this.#inputs ?? {}, this.files, this.dependsOn, {
      declaredIn: this.declaredIn, notes: [...(this.notes ?? []), ...notes],
    });
    if (this.#fields) copy.fields = this.#fields;
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

