/** `bootplan explain system.NAME --cm`: a system's merged CM bindings, value by value, with where each came from. */
import { formatPosition } from "../errors.js";
import type { Stack } from "../model/stack.js";
import { isPlainObject } from "../util/merge.js";
import { handoffAddress, nodeIdentity } from "./identity.js";
import { pathKey, type CmBinding, type CmType, type Origin } from "./types.js";

/** The merge rule, as explanations state it. */
export const MERGE_RULE = "lists union in order, maps merge deeply, the system wins";

/** One merged value and the layer that set it. */
export interface ExplainedValue {
  /** e.g. classes.role::web.port, groups[] */
  path: string;
  value: unknown;
  /** e.g. "profile web", "system web01", "cm puppet-prod (default)". */
  from: string;
  /** file:line:column of the declaration. */
  at: string;
}

/** One binding of the system. */
export interface ExplainedBinding {
  cm: string;
  type: CmType;
  address: string;
  /** The name the CM system knows the machine by. */
  node: string;
  /** Layers merged, base first. */
  layers: string[];
  values: ExplainedValue[];
}

/** The whole explanation for one system. */
export interface CmExplanation {
  system: string;
  rule: string;
  bindings: ExplainedBinding[];
}

type Seg = string | number | { item: unknown };

function describe(origin: Origin | undefined, rel: (string | number)[], defaulted: boolean): { from: string; at: string } {
  if (!origin) return { from: "(unknown)", at: "" };
  const pos = origin.at ? origin.at(rel) : origin.position;
  return { from: defaulted ? `${origin.layer} (default)` : origin.layer, at: formatPosition(pos) };
}

function explainBinding(b: CmBinding, settings: Record<string, unknown>): ExplainedValue[] {
  const out: ExplainedValue[] = [];
  const walk = (v: unknown, path: Seg[], shown: string): void => {
    if (isPlainObject(v) && Object.keys(v).length > 0) {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k], shown ? `${shown}.${k}` : k);
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) {
        const origin = b.origins[pathKey([...path, { item }])];
        out.push({ path: `${shown}[]`, value: item, ...describe(origin, path.filter((s): s is string | number => typeof s !== "object"), false) });
      }
      return;
    }
    const origin = b.origins[pathKey(path)];
    const rel = path as (string | number)[];
    // A value from the CM system's layer is a default when the settings do not declare it.
    const defaulted = !!origin?.layer.startsWith("cm ") && settings[rel[0] as string] === undefined;
    out.push({ path: shown, value: v, ...describe(origin, rel, defaulted) });
  };
  walk(b.value, [], "");
  return out;
}

/** Explains the CM bindings of `system` in a resolved stack (undefined for an unknown system). */
export function explainCm(stack: Stack, system: string): CmExplanation | undefined {
  const sys = stack.systems[system];
  if (!sys) return undefined;
  const bindings: ExplainedBinding[] = [];
  for (const cm of Object.values(stack.cm).sort((a, b) => a.name.localeCompare(b.name))) {
    const b = cm.members[system];
    if (!b) continue;
    bindings.push({
      cm: cm.name, type: cm.type, address: handoffAddress(cm.name, system), node: nodeIdentity(sys).name,
      layers: b.layers, values: explainBinding(b, cm.settings),
    });
  }
  return { system, rule: MERGE_RULE, bindings };
}
