/**
 * `appliesTo`: which systems a plugin applies to, by name globs (picomatch), profiles, distros and
 * attribute expressions read exactly as `requires:` reads them. Matching explains itself, so
 * `bootplan explain --plugins` can say why a plugin applies or not.
 */
import picomatch from "picomatch";
import { targetAttributes } from "../compat/attributes.js";
import { compileConstraint, formatConstraint, readConstraint, violates, type CompiledConstraint } from "../compat/constraint.js";
import type { Distro, Profile, System } from "../model/stack.js";

/** A selector ready to match. */
export interface CompiledSelector {
  names?: string[];
  profiles?: string[];
  distros?: string[];
  attributes?: { attribute: string; constraint: CompiledConstraint }[];
  /** Where the selector was declared, e.g. `plugins/raid-layout.ts` or `stack.yaml:20:5`. */
  from: string;
  matchers: { names?: picomatch.Matcher; profiles?: picomatch.Matcher; distros?: picomatch.Matcher };
}

/** One criterion's verdict for a system. */
export interface SelectorCheck {
  criterion: "names" | "profiles" | "distros" | "attributes" | "all";
  ok: boolean;
  why: string;
}

const KEYS = ["names", "profiles", "distros", "attributes"];

function globList(raw: unknown, key: string, problems: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || !raw.length || raw.some((g) => typeof g !== "string" || !g)) {
    problems.push(`${key}: expected a non-empty list of names or globs, found ${JSON.stringify(raw)}`);
    return undefined;
  }
  return raw as string[];
}

/** Compiles a selector; problems (without position, `key: what`) are pushed to `problems`. */
export function compileSelector(raw: unknown, from: string | (() => string), problems: string[]): CompiledSelector {
  let where = typeof from === "string" ? from : undefined;
  // A position in a stack file costs a parse with positions: worked out only when explain shows it.
  const sel = { get from() { return (where ??= (from as () => string)()); }, matchers: {} } as CompiledSelector;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    problems.push(`expected a selector map with ${KEYS.join(", ")} ({} selects every system), found ${JSON.stringify(raw)}`);
    return sel;
  }
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KEYS.includes(k)) problems.push(`${k}: unknown key (expected one of: ${KEYS.join(", ")})`);
  for (const key of ["names", "profiles", "distros"] as const) {
    const list = globList(r[key], key, problems);
    if (list) {
      sel[key] = list;
      sel.matchers[key] = picomatch(list, { dot: true });
    }
  }
  if (r.attributes !== undefined) {
    if (r.attributes === null || typeof r.attributes !== "object" || Array.isArray(r.attributes)) {
      problems.push(`attributes: expected a map of attribute expressions, found ${JSON.stringify(r.attributes)}`);
    } else {
      sel.attributes = [];
      for (const [attribute, value] of Object.entries(r.attributes)) {
        const c = readConstraint(attribute, value);
        if (typeof c === "string") problems.push(`attributes.${c}`);
        else sel.attributes.push({ attribute, constraint: compileConstraint(attribute, c) });
      }
    }
  }
  return sel;
}

/** Every criterion's verdict for a system; it is selected when all are ok. */
export function checkSelector(sel: CompiledSelector, system: System, profile: Profile, distro: Distro): SelectorCheck[] {
  const out: SelectorCheck[] = [];
  const one = (criterion: SelectorCheck["criterion"], list: string[] | undefined, m: picomatch.Matcher | undefined, values: string[], what: string): void => {
    if (!list || !m) return;
    const hit = values.find((v) => m(v));
    out.push({ criterion, ok: hit !== undefined, why: hit !== undefined ? `${what} ${hit} matches [${list.join(", ")}]` : `${what} ${values.join(", ")} matches none of [${list.join(", ")}]` });
  };
  one("names", sel.names, sel.matchers.names, [system.name], "name");
  one("profiles", sel.profiles, sel.matchers.profiles, [...profile.lineage].reverse(), "profile");
  one("distros", sel.distros, sel.matchers.distros, [distro.name], "distro");
  if (sel.attributes?.length) {
    const attrs = targetAttributes(system, distro);
    for (const { attribute, constraint } of sel.attributes) {
      const v = attrs[attribute]?.value;
      const failure = violates(constraint, v);
      out.push({
        criterion: "attributes", ok: !failure,
        why: `${attribute} ${v === undefined ? "(not declared)" : JSON.stringify(v)} ${failure ?? `fits ${formatConstraint(constraint)}`}`,
      });
    }
  }
  if (!out.length) out.push({ criterion: "all", ok: true, why: "the selector is {} (every system)" });
  return out;
}

/** True when the selector selects the system. */
export function selects(sel: CompiledSelector, system: System, profile: Profile, distro: Distro): boolean {
  const m = sel.matchers;
  if (m.names && !m.names(system.name)) return false;
  if (m.profiles && !profile.lineage.some((p) => m.profiles!(p))) return false;
  if (m.distros && !m.distros(distro.name)) return false;
  if (!sel.attributes?.length) return true;
  const attrs = targetAttributes(system, distro);
  return sel.attributes.every(({ attribute, constraint }) => !violates(constraint, attrs[attribute]?.value));
}
