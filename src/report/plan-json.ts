/** The machine rendering of a plan: the Plan object, without apply-only data, validating against schemas/plan.schema.json. */
import type { ExecutablePlan, Plan } from "../engine/types.js";

/** The printable plan: inputs and secret names stay in saved plans only. */
export function printablePlan(plan: ExecutablePlan | Plan): Plan {
  const { inputs: _i, secretNames: _s, refresh: _r, applyHooks: _h, ...rest } = plan as ExecutablePlan;
  return rest;
}

/** Plan JSON, one document, newline-terminated. */
export function renderPlanJson(plan: ExecutablePlan | Plan): string {
  return JSON.stringify(printablePlan(plan), null, 2) + "\n";
}
