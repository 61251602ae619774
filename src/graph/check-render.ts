/** What `validate` renders so a template that fails or runs away is caught before plan. */
import { readFileSync } from "node:fs";
import type { Stack } from "../model/stack.js";
import { compileTemplate } from "../render/liquid.js";
import { StackError } from "../errors.js";
import { buildDesiredResources } from "./build.js";

/**
 * Parses every profile's own template and renders one system of each profile (with secret markers,
 * no secret values): the same rendering plan does, bounded by the liquid limits, at a cost that grows
 * with the profiles rather than the fleet. Throws the error plan would raise.
 */
export function checkRendering(stack: Stack): void {
  for (const p of Object.values(stack.profiles)) {
    const tpl = p.answerFile.template;
    if (!tpl) continue;
    try {
      compileTemplate(readFileSync(tpl, "utf8"));
    } catch (err) {
      throw new StackError("render.failed", p.source, `profile ${p.name}: template ${tpl}: ${(err as Error).message}`);
    }
  }
  const onePerProfile: Stack["systems"] = {};
  const seen = new Set<string>();
  for (const s of Object.values(stack.systems)) {
    if (seen.has(s.profile)) continue;
    seen.add(s.profile);
    onePerProfile[s.name] = s;
  }
  // CM handoffs are left out: they are rendered from the whole fleet, and their data is checked when loading.
  // Guest domains render nothing (their systems render as systems), so they are left out too.
  buildDesiredResources({ ...stack, systems: onePerProfile, cm: {}, guests: {} }, { secrets: {}, digest: () => "" });
}
