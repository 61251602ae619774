/** The contract each CM type implements, and the shape checks the four adapters share. */
import { isPlainObject } from "../util/merge.js";
import type { CmSystem, CmType, NodeIdentity, Plain } from "./types.js";

/** One problem in a binding or settings map, at a path relative to it; `rule` names the broken rule. */
export interface Issue {
  path: (string | number)[];
  code: string;
  message: string;
  at?: "key" | "value";
}

/** What a handoff hands over: the merged class in the type's format and the node's own files. */
export interface NodeHandoff {
  /** The management class as the CM system receives it (shown field by field in the plan). */
  class: Plain;
  /** Files relative to the CM system's output directory -> content. */
  files: Record<string, string>;
}

/** One member as the shared artifacts see it. */
export interface Member {
  node: NodeIdentity;
  class: Plain;
}

/** A CM type: its settings and binding format, its merge defaults, and its artifacts. */
export interface CmAdapter {
  type: CmType;
  /** Keys allowed under `cm.<name>` besides `type` and `output`. */
  settingKeys: readonly string[];
  /** Keys allowed in a `manage.<name>` binding. */
  bindingKeys: readonly string[];
  checkSettings(settings: Plain): Issue[];
  /** Problems in one layer's binding (each profile and system is checked where it is written). */
  checkBinding(binding: Plain): Issue[];
  /** The layer the CM system's settings contribute under every binding (e.g. a default environment). */
  defaults(cm: Pick<CmSystem, "settings">): Plain;
  /** One layer in merge shape (e.g. a Puppet class list becomes a map of classes without parameters). */
  normalize(binding: Plain): Plain;
  /** Renders one node's artifacts from its merged binding. */
  handoff(cm: Pick<CmSystem, "name" | "settings">, node: NodeIdentity, merged: Plain): NodeHandoff;
  /** Shared artifacts (files relative to the output directory) and recorded fields for the whole CM system. */
  index(cm: Pick<CmSystem, "name" | "settings">, members: Member[]): { fields: Plain; files: Record<string, string> };
}

/** Describes a value for "expected X, found Y" messages. */
export function found(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  if (typeof v === "string") return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/** Checks that the keys of `m` are among `allowed`; `what` names the map in the message. */
export function unknownKeys(m: Plain, allowed: readonly string[], what: string, base: (string | number)[] = []): Issue[] {
  return Object.keys(m)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ path: [...base, k], at: "key" as const, code: "cm.unknown-key", message: `unknown key "${k}" in ${what} (expected one of: ${allowed.join(", ")})` }));
}

/** Checks a list of names against a rule; returns the issues for items that break it. */
export function checkNameList(v: unknown, key: string, rule: RegExp, ruleText: string, code: string, what: string): Issue[] {
  if (!Array.isArray(v)) return [{ path: [key], code: "cm.wrong-type", message: `expected a list of ${what}, found ${found(v)}` }];
  return v.flatMap((item, i) =>
    typeof item === "string" && rule.test(item) ? [] : [{ path: [key, i], code, message: `invalid ${what.replace(/s$/, "")} ${found(item)}: ${ruleText} (rule ${code})` }],
  );
}

/** Checks that `v` (when present) is a map. */
export function checkMap(v: unknown, key: string): Issue[] {
  return v === undefined || isPlainObject(v) ? [] : [{ path: [key], code: "cm.wrong-type", message: `expected a map, found ${found(v)}` }];
}

/** Checks that `v` (when present) is a string matching `rule`. */
export function checkName(v: unknown, key: string, rule: RegExp, ruleText: string, code: string, what: string): Issue[] {
  if (v === undefined) return [];
  return typeof v === "string" && rule.test(v) ? [] : [{ path: [key], code, message: `invalid ${what} ${found(v)}: ${ruleText} (rule ${code})` }];
}

/** Checks the top-level keys of a map against a variable-name rule. */
export function checkKeys(v: unknown, key: string, rule: RegExp, ruleText: string, code: string, what: string, reserved: readonly string[] = []): Issue[] {
  if (!isPlainObject(v)) return [];
  return Object.keys(v).flatMap((k) =>
    rule.test(k) && !reserved.includes(k)
      ? []
      : [{ path: [key, k], at: "key" as const, code, message: `invalid ${what} ${JSON.stringify(k)}: ${ruleText}${reserved.includes(k) ? ` (${k} is reserved)` : ""} (rule ${code})` }],
  );
}

/** A map's own entries in key order, for stable artifacts whatever order the stack used. */
export function sortedMap<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
}
