/**
 * Decision steps 1-5, done once per stack: for each installable, the external lists found, which
 * apply, and the governing list per attribute. Independent of targets, so it is computed once and
 * a conflict between lists is a stack error even before any target uses the installable.
 */
import { formatPosition, StackError, type SourcePosition } from "../errors.js";
import type { ExternalList, InstallableKind, Requirement, RequirementList, Stack } from "../model/stack.js";
import { compileConstraint, sameConstraint, type CompiledConstraint } from "./constraint.js";
import { parseRange, satisfies, type VersionScheme } from "./version.js";

/** Something a target installs: its distro, its profile, or a package its profile lists. */
export interface Installable {
  kind: InstallableKind;
  name: string;
  /** Package version, or a distro's OS release; profiles have none. */
  version?: string;
  /** How its versions order: rpm for RPM packages, dpkg otherwise. */
  scheme?: VersionScheme;
  optional: boolean;
  source: SourcePosition;
}

/** One external list naming the installable, and whether it applies. */
export interface ListFinding {
  list: ExternalList;
  applies: boolean;
  why: string;
}

/** One attribute of the governing list, and which list it comes from. */
export interface EffectiveRequirement {
  attribute: string;
  constraint: CompiledConstraint;
  /** The external list that supplies it; undefined when the installable's own list does. */
  list?: ExternalList;
  requirement: Requirement;
}

/** Which decision rule settled the governing list. */
export type GovernanceRule = "none-applies" | "same-as-own" | "external-differs";

/** Steps 1-5 for one installable. */
export interface Governance {
  installable: Installable;
  own: EffectiveRequirement[];
  findings: ListFinding[];
  rule: GovernanceRule;
  /** The external list that governs (rule external-differs), or that applied but matched the own list. */
  applied?: ExternalList;
  /** Lists that applied but were outranked by `applied`'s priority. */
  outranked: ExternalList[];
  effective: EffectiveRequirement[];
}

/** Governance for every installable of a stack, by kind and name. */
export interface CompatIndex {
  package: Map<string, Governance>;
  distro: Map<string, Governance>;
  profile: Map<string, Governance>;
}

const short = (p: SourcePosition): string => `${p.file}:${p.line}`;

function compileList(list: RequirementList, by?: ExternalList): EffectiveRequirement[] {
  return Object.entries(list).map(([attribute, requirement]) => ({ attribute, constraint: compileConstraint(attribute, requirement.constraint), list: by, requirement }));
}

/** Names an installable the way messages do: `package gpu-driver 550.54`, `distro debian-12-amd64`. */
export function describeInstallable(i: Pick<Installable, "kind" | "name" | "version">): string {
  return i.kind === "package" ? `package ${i.name} ${i.version}` : `${i.kind} ${i.name}`;
}

function govern(inst: Installable, own: EffectiveRequirement[], lists: ExternalList[], errors: StackError[]): Governance {
  const findings: ListFinding[] = lists.map((list) => {
    const r = list.applies.versions;
    if (r === undefined) return { list, applies: true, why: `names ${inst.kind} ${inst.name}, all versions` };
    const ok = inst.version !== undefined && satisfies(inst.version, parseRange(r), inst.scheme);
    return { list, applies: ok, why: `${inst.version ?? "(no version)"} is ${ok ? "" : "not "}in ${r}` };
  });
  const applying = findings.filter((f) => f.applies).map((f) => f.list).sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || (a.name < b.name ? -1 : 1));
  const base = { installable: inst, own, findings, outranked: [] as ExternalList[] };
  if (!applying.length) return { ...base, rule: "none-applies", effective: own };
  const [top, next] = applying;
  if (next && (next.priority ?? 0) === (top.priority ?? 0)) {
    const tie = top.priority === undefined ? "no priority orders them" : `both have priority ${top.priority}`;
    errors.push(new StackError("compat.ambiguous-lists", next.source, `overrides.${next.name}: external lists ${top.name} (${short(top.source)}) and ${next.name} (${short(next.source)}) both apply to ${describeInstallable(inst)} and ${tie}; set a higher priority: on one or narrow versions:`));
  }
  const outranked = applying.slice(1);
  const ownByAttr = new Map(own.map((r) => [r.attribute, r]));
  const listed = compileList(top.attributes, top);
  const same = listed.every((r) => {
    const o = ownByAttr.get(r.attribute);
    return o !== undefined && sameConstraint(o.constraint, r.constraint);
  });
  if (same) return { ...base, outranked, rule: "same-as-own", applied: top, effective: own };
  // The external list governs the attributes it names; the others keep the installable's own constraint.
  const named = new Set(listed.map((r) => r.attribute));
  return { ...base, outranked, rule: "external-differs", applied: top, effective: [...own.filter((r) => !named.has(r.attribute)), ...listed] };
}

/** Builds the index; `errors` collects conflicts between external lists (decision step 5). */
export function compileCompat(stack: Pick<Stack, "packages" | "overrides" | "distros" | "profiles">): { index: CompatIndex; errors: StackError[] } {
  const errors: StackError[] = [];
  const byTarget = new Map<string, ExternalList[]>();
  for (const l of Object.values(stack.overrides ?? {})) {
    const key = `${l.applies.kind}:${l.applies.name}`;
    const arr = byTarget.get(key);
    if (arr) arr.push(l);
    else byTarget.set(key, [l]);
  }
  const listsFor = (kind: InstallableKind, name: string) => byTarget.get(`${kind}:${name}`) ?? [];
  const index: CompatIndex = { package: new Map(), distro: new Map(), profile: new Map() };
  for (const p of Object.values(stack.packages ?? {})) {
    const inst: Installable = { kind: "package", name: p.name, version: p.version, scheme: p.file?.endsWith(".rpm") ? "rpm" : "dpkg", optional: p.optional, source: p.source };
    index.package.set(p.name, govern(inst, compileList(p.requires ?? {}), listsFor("package", p.name), errors));
  }
  for (const d of Object.values(stack.distros)) {
    const inst: Installable = { kind: "distro", name: d.name, version: d.os.release, optional: false, source: d.source };
    const own: RequirementList = { arch: { constraint: { type: "values", values: [d.arch] }, source: d.source, origin: "distro arch" }, ...(d.requires ?? {}) };
    index.distro.set(d.name, govern(inst, compileList(own), listsFor("distro", d.name), errors));
  }
  for (const p of Object.values(stack.profiles)) {
    const inst: Installable = { kind: "profile", name: p.name, optional: false, source: p.source };
    index.profile.set(p.name, govern(inst, compileList(p.requires ?? {}), listsFor("profile", p.name), errors));
  }
  return { index, errors };
}

/** Where a governing constraint is declared, for messages: the list's name and file:line. */
export function governedBy(r: EffectiveRequirement): string {
  return r.list ? `external list ${r.list.name} (${short(r.list.source)})` : `its own list (${formatPosition(r.requirement.source)}, ${r.requirement.origin})`;
}
