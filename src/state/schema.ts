/** Validates state documents and records against schemas/state.schema.json. */
import type { ErrorObject } from "ajv/dist/2020.js";
import { validators } from "../util/validators.js";

const compiled = (): ReturnType<typeof validators> => validators("state");

function describe(errors: ErrorObject[] | null | undefined, root: string): string {
  const e = errors?.[0];
  if (!e) return "does not match the state schema";
  const where = e.instancePath ? `${root}${e.instancePath}` : root || "document";
  const extra =
    e.keyword === "additionalProperties"
      ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
      : e.keyword === "enum"
        ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")})`
        : "";
  return `${where}: ${e.message ?? "is invalid"}${extra}`;
}

/** Checks a parsed state document; returns a one-line cause, or undefined when it is valid. */
export function checkStateDocument(value: unknown): string | undefined {
  const v = compiled().doc;
  return v(value) ? undefined : describe(v.errors, "");
}

/** Checks one resource record and its address before it is journaled; returns a one-line cause or undefined. */
export function checkResourceRecord(address: string, rec: unknown): string | undefined {
  const { record, address: addr } = compiled();
  if (!addr(address)) return `invalid resource address ${JSON.stringify(address)}`;
  return record(rec) ? undefined : describe(record.errors, address);
}
