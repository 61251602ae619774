/**
 * Ansible: a YAML inventory (`all:` / `children:` / `hosts:` / `vars:`) shared by the CM system, and a
 * host_vars file per host next to it, so a host's variables change without rewriting the inventory.
 */
import { isPlainObject } from "../util/merge.js";
import { checkKeys, checkMap, checkNameList, found, unknownKeys, type CmAdapter, type Issue } from "./adapter.js";
import type { Plain } from "./types.js";
import { toYaml } from "./yaml-emit.js";

/** Ansible group names: letters, digits and '_', not starting with a digit (valid Python identifiers). */
export const ANSIBLE_GROUP = /^(?!(all|ungrouped)$)[A-Za-z_][A-Za-z0-9_]*$/;
const GROUP_RULE = "Ansible group names use letters, digits and '_', do not start with a digit, and are not all or ungrouped";
/** Ansible variable names: letters, digits and '_', not starting with a digit. */
const ANSIBLE_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAR_RULE = "Ansible variable names use letters, digits and '_' and do not start with a digit";

function checkGroupVars(v: unknown): Issue[] {
  if (v === undefined) return [];
  if (!isPlainObject(v)) return [{ path: ["groupVars"], code: "cm.wrong-type", message: `expected a map of group -> variables, found ${found(v)}` }];
  return Object.entries(v).flatMap(([g, vars]) => [
    ...(ANSIBLE_GROUP.test(g) ? [] : [{ path: ["groupVars", g], at: "key" as const, code: "ansible.group-name", message: `invalid Ansible group ${JSON.stringify(g)}: ${GROUP_RULE} (rule ansible.group-name)` }]),
    ...checkMap(vars, g).map((i) => ({ ...i, path: ["groupVars", ...i.path] })),
    ...checkKeys(vars, g, ANSIBLE_VAR, VAR_RULE, "ansible.var-name", "Ansible variable").map((i) => ({ ...i, path: ["groupVars", ...i.path] })),
  ]);
}

/** The variables Ansible receives for one host: its address (when static), then the binding's vars. */
export function hostVars(ips: string[], vars: Plain): Plain {
  return { ...(ips[0] ? { ansible_host: ips[0] } : {}), ...vars };
}

/** An inventory `hosts:` map: each host with no inline variables (they live in host_vars). */
function hostMap(hosts: string[]): Plain {
  const out: Plain = {};
  for (const h of hosts) out[h] = null;
  return out;
}

/** The Ansible adapter. */
export const ansible: CmAdapter = {
  type: "ansible",
  settingKeys: ["vars", "groupVars"],
  bindingKeys: ["groups", "vars"],
  checkSettings: (s) => [
    ...checkMap(s.vars, "vars"),
    ...checkKeys(s.vars, "vars", ANSIBLE_VAR, VAR_RULE, "ansible.var-name", "Ansible variable"),
    ...checkGroupVars(s.groupVars),
  ],
  checkBinding: (b) => [
    ...unknownKeys(b, ansible.bindingKeys, "an ansible binding"),
    ...(b.groups === undefined ? [] : checkNameList(b.groups, "groups", ANSIBLE_GROUP, GROUP_RULE, "ansible.group-name", "Ansible groups")),
    ...checkMap(b.vars, "vars"),
    ...checkKeys(b.vars, "vars", ANSIBLE_VAR, VAR_RULE, "ansible.var-name", "Ansible variable"),
  ],
  defaults: () => ({}),
  normalize: (b) => b,
  handoff(_cm, node, merged) {
    const cls: Plain = { groups: merged.groups ?? [], vars: merged.vars ?? {} };
    const hostvars = hostVars(node.ips, cls.vars as Plain);
    return { class: cls, files: { [`host_vars/${node.name}.yml`]: toYaml(hostvars) } };
  },
  index(cm, members) {
    const groupVars = (cm.settings.groupVars ?? {}) as Record<string, Plain>;
    const groups = new Map<string, string[]>();
    const ungrouped: string[] = [];
    for (const m of members) {
      const gs = m.class.groups as string[];
      if (!gs.length) ungrouped.push(m.node.name);
      for (const g of gs) (groups.get(g) ?? groups.set(g, []).get(g)!).push(m.node.name);
    }
    // Group vars of groups no host is in still belong to the inventory: a later host may join them.
    for (const g of Object.keys(groupVars)) if (!groups.has(g)) groups.set(g, []);
    const children: Plain = {};
    for (const g of [...groups.keys()].sort()) {
      const hosts = groups.get(g)!.sort();
      // Assigned, not spread: spreading a map of thousands of hosts copies it the slow way.
      const child: Plain = {};
      if (hosts.length) child.hosts = hostMap(hosts);
      if (groupVars[g] && Object.keys(groupVars[g]).length) child.vars = groupVars[g];
      children[g] = child;
    }
    const vars = (cm.settings.vars ?? {}) as Plain;
    const all: Plain = {};
    if (ungrouped.length) all.hosts = hostMap(ungrouped.sort());
    if (Object.keys(vars).length) all.vars = vars;
    if (Object.keys(children).length) all.children = children;
    const groupsField = Object.fromEntries([...groups].map(([g, hs]) => [g, hs]));
    return { fields: { groups: groupsField }, files: { "inventory.yaml": toYaml({ all }) } };
  },
};
