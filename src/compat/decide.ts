/**
 * Decision step 6, per target: each installable's governing list checked attribute by attribute
 * against the target. Memoized per (profile, declared attributes): fleets repeat a few hardware shapes.
 */
import { createHash } from "node:crypto";
import type { Stack, System } from "../model/stack.js";
import { targetAttributes, type TargetAttribute } from "./attributes.js";
import { compileCompat, describeInstallable, governedBy, type CompatIndex, type EffectiveRequirement, type Governance } from "./compile.js";
import { formatConstraint, violates } from "./constraint.js";
import { IncompatibleTargetError } from "./errors.js";

/** One attribute of the governing list checked against the target. */
export interface AttributeCheck {
  requirement: EffectiveRequirement;
  target?: TargetAttribute;
  /** Why the value fails; undefined when it fits. */
  failure?: string;
}

/** The whole decision for one installable on one target. */
export interface Decision {
  governance: Governance;
  checks: AttributeCheck[];
  compatible: boolean;
}

/** Everything compatibility decides for one system. */
export interface SystemCompat {
  system: string;
  attributes: Record<string, TargetAttribute>;
  /** Distro first, then profile, then the profile's declared packages in its order. */
  decisions: Decision[];
  /** The profile's package list with incompatible optional packages left out. */
  packages: string[];
  /** One error per failing attribute of a required installable; the system cannot be planned when any. */
  errors: IncompatibleTargetError[];
  /** Plan notes: the external lists that governed, and optional packages skipped. */
  notes: string[];
  /**
   * The external lists that governed, for the system's inputs, so a changed list changes the plan:
   * their names and a digest of what each declared for which installable (undefined when none did).
   */
  governing?: string;
}

function check(g: Governance, attrs: Record<string, TargetAttribute>): Decision {
  const checks = g.effective.map((r): AttributeCheck => {
    const t = attrs[r.attribute];
    return { requirement: r, target: t, failure: violates(r.constraint, t?.value) };
  });
  return { governance: g, checks, compatible: checks.every((c) => !c.failure) };
}

function showValue(v: unknown): string {
  return v === undefined ? "(not declared)" : typeof v === "string" ? v : JSON.stringify(v);
}

/** The one-line message of a failing check, naming target, installable, attribute, value, allowed values and list. */
export function failureMessage(system: string, d: Decision, c: AttributeCheck): string {
  const r = c.requirement;
  const value = c.target === undefined ? "" : ` ${showValue(c.target.value)}`;
  return `system.${system}: ${describeInstallable(d.governance.installable)}: ${r.attribute}${value} ${c.failure}; governed by ${governedBy(r)}`;
}

function inputKey(d: Decision): string {
  const i = d.governance.installable;
  return i.kind === "package" ? `${i.name}@${i.version}` : `${i.kind}:${i.name}`;
}

/** What systems with the same profile and attributes share: all but the errors, which name the system. */
interface Shape {
  attributes: Record<string, TargetAttribute>;
  decisions: Decision[];
  packages: string[];
  notes: string[];
  governing?: string;
  failing: { d: Decision; c: AttributeCheck }[];
}

/** Decides compatibility for the systems of one stack; build once per stack, call per system. */
export class CompatDecider {
  readonly index: CompatIndex;
  private readonly memo = new Map<string, Shape>();

  constructor(private readonly stack: Pick<Stack, "packages" | "overrides" | "distros" | "profiles">) {
    // Conflicting lists were reported when the stack loaded; here the first-ranked one is used.
    this.index = compileCompat(stack).index;
  }

  /** The decisions for one system, its filtered package list, errors and plan notes. */
  decide(system: System): SystemCompat {
    const profile = this.stack.profiles[system.profile];
    // The profile fixes the distro, hence every derived attribute: profile plus declared attributes
    // identify the shape. Key order differing between systems only costs a cache miss.
    const key = `${profile.name}\n${JSON.stringify(system.attributes)}${system.facts ? `\n${JSON.stringify(system.facts)}` : ""}`;
    let shape = this.memo.get(key);
    if (!shape) this.memo.set(key, (shape = this.shape(system)));
    const errors = shape.failing.map(({ d, c }) => new IncompatibleTargetError(`system.${system.name}`, failureMessage(system.name, d, c)));
    return { system: system.name, attributes: shape.attributes, decisions: shape.decisions, packages: shape.packages, errors, notes: shape.notes, governing: shape.governing };
  }

  private shape(system: System): Shape {
    const profile = this.stack.profiles[system.profile];
    const distro = this.stack.distros[profile.distro];
    const attributes = targetAttributes(system, distro);
    const gs = [this.index.distro.get(distro.name)!, this.index.profile.get(profile.name)!];
    for (const p of profile.packages) {
      const g = this.index.package.get(p);
      if (g) gs.push(g);
    }
    const decisions = gs.map((g) => check(g, attributes));
    const out: Shape = { attributes, decisions, packages: profile.packages, notes: [], failing: [] };
    const lists = new Set<string>();
    const declared: string[] = [];
    let skipped: Set<string> | undefined;
    for (const d of decisions) {
      const g = d.governance;
      const inst = g.installable;
      if (g.rule === "external-differs" && g.applied) {
        out.notes.push(`uses external list ${g.applied.name} for ${inst.kind === "package" ? `${inst.name} ${inst.version}` : `${inst.kind} ${inst.name}`} (${g.applied.source.file}:${g.applied.source.line})`);
        const named = d.checks.filter((c) => c.requirement.list).map((c) => `${c.requirement.attribute} ${formatConstraint(c.requirement.constraint)}`);
        lists.add(g.applied.name);
        declared.push(`${inputKey(d)}=${g.applied.name}: ${named.join("; ")}`);
      }
      if (d.compatible) continue;
      const failing = d.checks.filter((c) => c.failure);
      if (inst.optional) {
        (skipped ??= new Set()).add(inst.name);
        const c = failing[0];
        out.notes.push(`skips optional ${describeInstallable(inst)}: ${c.requirement.attribute}${c.target ? ` ${showValue(c.target.value)}` : ""} ${c.failure}; governed by ${governedBy(c.requirement)}`);
        continue;
      }
      for (const c of failing) out.failing.push({ d, c });
    }
    if (skipped) out.packages = profile.packages.filter((p) => !skipped!.has(p));
    // One short string: the state holds it for every system, and the notes already name each list.
    if (lists.size) out.governing = `${[...lists].sort().join(", ")} #${createHash("sha256").update(declared.sort().join("\n")).digest("hex").slice(0, 12)}`;
    return out;
  }
}
