/**
 * The delta plan. When the only stack files changed since the last no-op plan's memo declare systems
 * alone, the plan of the whole stack is that of those files' systems and their CM handoffs (built and
 * read as a targeted plan does), with every other resource vouched for by the memo: the state, the
 * secrets and the rest of the stack are as they were then, so the rest of the fleet still builds to
 * what is recorded, and reality is checked as the memo's own reader checks it. It holds only while the
 * files every system shares stay as they are (engine/plan-memo.ts `sharedFilesTouched`); anything else
 * and the caller plans in full.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { handoffAddress } from "../cm/identity.js";
import { asWholePlan, sharedFilesTouched, type PlanMemo } from "../engine/plan-memo.js";
import type { ExecutablePlan } from "../engine/types.js";
import { addressOf, parseAddress } from "../graph/resource.js";
import type { Stack } from "../model/stack.js";
import { declaresSystemsOnly } from "../stack/fingerprint.js";
import { stackFileOf } from "../stack/yaml.js";
import type { Io } from "./output.js";
import { memoStateHolds, RealityCheck, type LoadedMemo } from "./plan-memo.js";
import { planSession, readState, type Session } from "./session.js";

/** What planSession is asked besides the targets. */
type PlanOptions = Omit<Parameters<typeof planSession>[3], "targets">;

/**
 * The plan of the whole stack from the systems declared in `changed` (stack files whose text changed
 * since the memo) and the memo; undefined when the memo cannot vouch for the rest (plan in full then).
 */
export async function planDelta(s: Session, loaded: LoadedMemo, changed: string[], reality: RealityCheck, io: Io, opts: PlanOptions): Promise<ExecutablePlan | undefined> {
  const { memo } = loaded;
  // The memo's warnings are the whole fleet's: which of them the changed systems still cause is not known.
  if (memo.plan.warnings.length) return undefined;
  const systems = changedSystems(s.stack, memo, changed);
  if (!systems) return undefined;
  const secrets = await memoStateHolds(loaded, s.backend, io.env);
  if (!secrets) return undefined;
  const targets = targetsOf(s.stack, memo, changed, systems);
  const plan = await planSession(s, await readState(s, { targets }), io, { ...opts, targets });
  if (sharedFilesTouched(plan)) return undefined;
  const warnings = await reality.holds(s.backend, secrets);
  return warnings && asWholePlan(plan, memo, warnings);
}

/**
 * The systems declared in `changed` now or at the memo's time; undefined when a changed file declares,
 * or declared, anything besides systems (a profile, a binding, a guest...) or a changed system hosts guests.
 */
function changedSystems(stack: Stack, memo: PlanMemo, changed: string[]): Set<string> | undefined {
  const files = new Set(changed);
  if (memo.declared[""]?.length) return undefined;
  for (const rel of changed) {
    if (memo.mixed.includes(rel) || !declaresSystemsOnly(readFileSync(join(stack.dir, rel), "utf8"))) return undefined;
  }
  const names = new Set<string>();
  for (const rel of changed) {
    for (const address of memo.declared[rel] ?? []) {
      const { kind, name } = parseAddress(address);
      if (kind === "system") names.add(name);
      else if (kind !== "cm") return undefined;
    }
  }
  for (const sys of Object.values(stack.systems)) {
    const file = stackFileOf(sys.source);
    if (file === undefined) return undefined;
    if (files.has(file)) names.add(sys.name);
  }
  for (const g of Object.values(stack.guests)) if (names.has(g.name) || (g.hypervisorSystem && names.has(g.hypervisorSystem))) return undefined;
  return names;
}

/** The addresses a delta plan targets: each changed system, and its CM handoffs now and as recorded. */
function targetsOf(stack: Stack, memo: PlanMemo, changed: string[], systems: Set<string>): string[] {
  const out = new Set<string>();
  for (const name of systems) {
    out.add(addressOf("system", name));
    for (const cm of Object.values(stack.cm)) if (cm.members[name]) out.add(handoffAddress(cm.name, name));
  }
  for (const rel of changed) for (const address of memo.declared[rel] ?? []) out.add(address);
  return [...out];
}
