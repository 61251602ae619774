/** Puppet: an external node classifier (ENC) document per node — classes, parameters, environment. */
import { isPlainObject } from "../util/merge.js";
import { checkKeys, checkMap, checkName, found, unknownKeys, type CmAdapter, type Issue } from "./adapter.js";
import type { Plain } from "./types.js";
import { toYaml } from "./yaml-emit.js";

/** Puppet class names: lowercase segments (letter first; letters, digits, '_') joined by '::'. */
export const PUPPET_CLASS = /^[a-z][a-z0-9_]*(::[a-z][a-z0-9_]*)*$/;
const CLASS_RULE = "Puppet class names are lowercase segments of letters, digits and '_', each starting with a letter, joined by '::' (e.g. role::web)";
/** Reserved class names Puppet refuses to declare. */
const RESERVED_CLASSES = ["main", "settings"];
/** Puppet variable and parameter names: a lowercase letter or '_' first, then letters, digits, '_'. */
const PUPPET_VAR = /^[a-z_][A-Za-z0-9_]*$/;
const VAR_RULE = "Puppet parameter names start with a lowercase letter or '_' followed by letters, digits and '_'";
/** Top-scope variables Puppet sets itself; an ENC may not override them. */
const RESERVED_VARS = ["trusted", "facts", "server_facts", "environment"];
/** Puppet environment names: lowercase letters, digits and '_'. */
const PUPPET_ENV = /^[a-z0-9_]+$/;
const ENV_RULE = "Puppet environment names use lowercase letters, digits and '_'";

function checkClasses(v: unknown): Issue[] {
  if (v === undefined) return [];
  const bad = (name: unknown, path: (string | number)[], at?: "key"): Issue[] =>
    typeof name === "string" && PUPPET_CLASS.test(name) && !RESERVED_CLASSES.includes(name)
      ? []
      : [{ path, at, code: "puppet.class-name", message: `invalid Puppet class ${found(name)}: ${CLASS_RULE}${RESERVED_CLASSES.includes(name as string) ? `; ${String(name)} is reserved` : ""} (rule puppet.class-name)` }];
  if (Array.isArray(v)) return v.flatMap((c, i) => bad(c, ["classes", i]));
  if (!isPlainObject(v)) return [{ path: ["classes"], code: "cm.wrong-type", message: `expected a list of classes or a map of class -> parameters, found ${found(v)}` }];
  return Object.entries(v).flatMap(([c, params]) => [
    ...bad(c, ["classes", c], "key"),
    ...(params === null || isPlainObject(params)
      ? checkKeys(params, c, PUPPET_VAR, VAR_RULE, "puppet.parameter-name", "class parameter").map((i) => ({ ...i, path: ["classes", ...i.path] }))
      : [{ path: ["classes", c], code: "cm.wrong-type", message: `expected the parameters of class ${c} as a map, found ${found(params)}` }]),
  ]);
}

// ENC data depends on the merged binding alone, and machines of one profile share that object.
const encCache = new WeakMap<Plain, { cls: Plain; text: string }>();

/** The ENC document (classes, parameters, environment) of a merged binding, and its YAML. */
function encOf(merged: Plain): { cls: Plain; text: string } {
  let enc = encCache.get(merged);
  if (!enc) {
    const classes = (merged.classes ?? {}) as Record<string, Plain | null>;
    const withParams = Object.values(classes).some((p) => p && Object.keys(p).length > 0);
    // Puppet reads either form; a plain list keeps nodes without class parameters easy to read.
    const cls: Plain = {
      classes: withParams ? Object.fromEntries(Object.entries(classes).map(([c, p]) => [c, p ?? {}])) : Object.keys(classes),
      parameters: merged.parameters ?? {},
      environment: merged.environment,
    };
    enc = { cls, text: toYaml(cls) };
    encCache.set(merged, enc);
  }
  return enc;
}

/** The Puppet adapter. */
export const puppet: CmAdapter = {
  type: "puppet",
  settingKeys: ["environment"],
  bindingKeys: ["classes", "parameters", "environment"],
  checkSettings: (s) => checkName(s.environment, "environment", PUPPET_ENV, ENV_RULE, "puppet.environment-name", "Puppet environment"),
  checkBinding: (b) => [
    ...unknownKeys(b, puppet.bindingKeys, "a puppet binding"),
    ...checkClasses(b.classes),
    ...checkMap(b.parameters, "parameters"),
    ...checkKeys(b.parameters, "parameters", PUPPET_VAR, VAR_RULE, "puppet.parameter-name", "Puppet parameter", RESERVED_VARS),
    ...checkName(b.environment, "environment", PUPPET_ENV, ENV_RULE, "puppet.environment-name", "Puppet environment"),
  ],
  defaults: (cm) => ({ environment: (cm.settings.environment as string | undefined) ?? "production" }),
  normalize(b) {
    // A list and a map of classes must merge with each other: a listed class is a class without parameters.
    if (!Array.isArray(b.classes)) return b;
    return { ...b, classes: Object.fromEntries((b.classes as string[]).map((c) => [c, {}])) };
  },
  handoff(_cm, node, merged) {
    const enc = encOf(merged);
    return { class: enc.cls, files: { [`nodes/${node.name}.yaml`]: enc.text } };
  },
  index: () => ({ fields: {}, files: {} }),
};
