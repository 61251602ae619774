/**
 * Runs of state records as JSON text (`"address":{…},"address":{…}`), parsed a run at a time. A state
 * of 100,000 systems is 290 MB of JSON: parsed as one string, that string stays as garbage until V8's
 * next full collection, which a plan may never reach (the heap grows by up to four times its live size
 * first). Runs of about 110 KiB avoid that on both sides of V8's limits: from a text of 100 KiB or more,
 * its JSON parser makes the objects in the old generation at once, instead of copying each twice on
 * its way there, and a text under 128 KiB is itself a young object, freed by the next minor collection.
 */

/** The length, in characters, a run reaches before it ends (unless one record is longer). */
export const RUN_AT_LEAST = 100 * 1024 + 64;
/** The length a run does not pass by taking one more record. */
export const RUN_AT_MOST = 120 * 1024;

/** Parses `run` (records joined by commas, no braces) into `resources`; a record met again replaces the earlier one, as in one parse of the whole. */
export function parseRecordRun(run: string, resources: Record<string, unknown>): void {
  const part = JSON.parse(`{${run}}`) as Record<string, unknown>;
  for (const key in part) resources[key] = part[key];
}

/** Gathers record texts into runs: each `add` gives the run it completed, if any; `rest` the last one. */
class RunGatherer {
  private parts: string[] = [];
  private size = 0;

  add(r: string): string | undefined {
    let done: string | undefined;
    if (this.size && (this.size >= RUN_AT_LEAST || this.size + r.length > RUN_AT_MOST)) done = this.rest();
    this.parts.push(r);
    this.size += r.length + 1;
    return done;
  }

  rest(): string | undefined {
    const run = this.parts.length ? this.parts.join(",") : undefined;
    this.parts = [];
    this.size = 0;
    return run;
  }
}

/** Groups record texts (`"address":{…}` each) into runs of RUN_AT_LEAST to RUN_AT_MOST characters. */
export function* recordRuns(records: Iterable<string>): Generator<string> {
  const g = new RunGatherer();
  for (const r of records) {
    const run = g.add(r);
    if (run !== undefined) yield run;
  }
  const last = g.rest();
  if (last !== undefined) yield last;
}

/** recordRuns of records that arrive (a cursor's rows); `end` runs once they have, or the runs are given up. */
export async function* recordRunsArriving(records: AsyncIterable<string>, end: () => Promise<void>): AsyncGenerator<string> {
  try {
    const g = new RunGatherer();
    for await (const r of records) {
      const run = g.add(r);
      if (run !== undefined) yield run;
    }
    const last = g.rest();
    if (last !== undefined) yield last;
  } finally {
    await end();
  }
}
