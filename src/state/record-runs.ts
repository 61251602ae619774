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

/**
 * Groups record texts (`"address":{…}` each), as a list or as they arrive (a cursor's rows), into runs
 * of RUN_AT_LEAST to RUN_AT_MOST characters; `end` runs once the records are all taken, or the runs are
 * given up.
 */
export async function* recordRuns(records: Iterable<string> | AsyncIterable<string>, end?: () => Promise<void>): AsyncGenerator<string> {
  try {
    let parts: string[] = [];
    let size = 0;
    for await (const r of records) {
      if (size && (size >= RUN_AT_LEAST || size + r.length > RUN_AT_MOST)) {
        yield parts.join(",");
        parts = [];
        size = 0;
      }
      parts.push(r);
      size += r.length + 1;
    }
    if (parts.length) yield parts.join(",");
  } finally {
    await end?.();
  }
}
