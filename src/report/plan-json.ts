/** The machine rendering of a plan: the Plan object, without apply-only data, validating against schemas/plan.schema.json. */
import { printablePlan, type ExecutablePlan, type Plan } from "../engine/types.js";

/** Plan JSON, one document, newline-terminated. */
export function renderPlanJson(plan: ExecutablePlan | Plan): string {
  return JSON.stringify(printablePlan(plan), null, 2) + "\n";
}
