/** The decision for one target as data: every step, for `bootplan explain` (text and --json). */
import { formatPosition } from "../errors.js";
import type { Stack } from "../model/stack.js";
import type { TargetAttribute } from "./attributes.js";
import type { EffectiveRequirement, GovernanceRule } from "./compile.js";
import { constraintJson, formatConstraint, violates } from "./constraint.js";
import { CompatDecider, type Decision } from "./decide.js";

/** One requirement as explained: attribute, allowed values, and where it is declared. */
export interface ExplainedRequirement {
  attribute: string;
  allowed: unknown;
  /** The allowed values as a reader writes them, e.g. `[x86_64, aarch64]` or `>= 8192`. */
  text: string;
  /** The external list supplying it, or null for the installable's own list. */
  list: string | null;
  origin: string;
  at: string;
}

/** One external list naming the installable. */
export interface ExplainedList {
  name: string;
  at: string;
  applies: boolean;
  why: string;
  reason: string;
  priority: number | null;
}

/** One attribute check against the target. */
export interface ExplainedCheck extends ExplainedRequirement {
  value: unknown;
  valueOrigin: string | null;
  ok: boolean;
  failure: string | null;
}

/** Every step of the decision for one installable on the target. */
export interface ExplainedInstallable {
  kind: "distro" | "profile" | "package";
  name: string;
  version: string | null;
  at: string;
  optional: boolean;
  ownList: ExplainedRequirement[];
  externalLists: ExplainedList[];
  rule: GovernanceRule;
  /** The external list that governs some attributes, or null when the own list governs all. */
  governingList: string | null;
  /** An external list that applied but declares exactly the own list (rule same-as-own). */
  redundantList: string | null;
  outranked: string[];
  checks: ExplainedCheck[];
  compatible: boolean;
  /** True when the own list alone would have refused the target: the external list made it possible. */
  onlyThroughList: boolean;
  outcome: "installs" | "skipped (optional)" | "fails the plan";
}

/** The explanation of one target. */
export interface Explanation {
  target: string;
  profile: string;
  distro: string;
  attributes: Record<string, { value: unknown; origin: string }>;
  installables: ExplainedInstallable[];
  /** Profile packages not declared under packages:, which have no requirement list to check. */
  unchecked: string[];
  compatible: boolean;
}

function requirement(r: EffectiveRequirement): ExplainedRequirement {
  return {
    attribute: r.attribute, allowed: constraintJson(r.constraint), text: formatConstraint(r.constraint), list: r.list?.name ?? null,
    origin: r.requirement.origin, at: formatPosition(r.requirement.source),
  };
}

function fitsOwn(d: Decision, attrs: Record<string, TargetAttribute>): boolean {
  return d.governance.own.every((r) => !violates(r.constraint, attrs[r.attribute]?.value));
}

function explainDecision(d: Decision, attrs: Record<string, TargetAttribute>): ExplainedInstallable {
  const g = d.governance;
  const i = g.installable;
  const governing = g.rule === "external-differs" ? g.applied! : undefined;
  return {
    kind: i.kind, name: i.name, version: i.version ?? null, at: formatPosition(i.source), optional: i.optional,
    ownList: g.own.map(requirement),
    externalLists: g.findings.map((f) => ({ name: f.list.name, at: formatPosition(f.list.source), applies: f.applies, why: f.why, reason: f.list.reason, priority: f.list.priority ?? null })),
    rule: g.rule,
    governingList: governing?.name ?? null,
    redundantList: g.rule === "same-as-own" ? g.applied!.name : null,
    outranked: g.outranked.map((l) => l.name),
    checks: d.checks.map((c) => ({ ...requirement(c.requirement), value: c.target?.value ?? null, valueOrigin: c.target?.origin ?? null, ok: !c.failure, failure: c.failure ?? null })),
    compatible: d.compatible,
    onlyThroughList: d.compatible && governing !== undefined && !fitsOwn(d, attrs),
    outcome: d.compatible ? "installs" : i.optional ? "skipped (optional)" : "fails the plan",
  };
}

/** Explains every installable of system `name` (or only package `pkg`); undefined for an unknown system. */
export function explainSystem(stack: Stack, name: string, opts: { package?: string } = {}): Explanation | undefined {
  const system = stack.systems[name];
  if (!system) return undefined;
  const decided = new CompatDecider(stack).decide(system);
  const profile = stack.profiles[system.profile];
  const installables = decided.decisions
    .filter((d) => opts.package === undefined || (d.governance.installable.kind === "package" && d.governance.installable.name === opts.package))
    .map((d) => explainDecision(d, decided.attributes));
  const unchecked = profile.packages.filter((p) => !stack.packages[p] && (opts.package === undefined || p === opts.package));
  return {
    target: `system.${name}`, profile: profile.name, distro: profile.distro,
    attributes: decided.attributes, installables, unchecked,
    compatible: installables.every((i) => i.compatible || i.optional),
  };
}
