/** The Ansible dynamic-inventory documents (`--list`, `--host`) built from recorded handoffs. */
import { hostVars } from "./ansible.js";
import type { Plain } from "./types.js";

/** One recorded Ansible handoff, as the inventory needs it. */
export interface InventoryHost {
  name: string;
  ips: string[];
  groups: string[];
  vars: Plain;
}

/** The variables of one host, exactly as its host_vars file holds them. */
export function hostDocument(h: InventoryHost): Plain {
  return hostVars(h.ips, h.vars);
}

/**
 * The `--list` document: every group with its hosts and vars, `all` with the CM system's vars, hosts
 * without a group under `ungrouped`, and `_meta.hostvars` so Ansible needs no `--host` calls.
 */
export function listDocument(settings: Plain, hosts: InventoryHost[]): Plain {
  const groupVars = (settings.groupVars ?? {}) as Record<string, Plain>;
  const groups = new Map<string, string[]>(Object.keys(groupVars).map((g) => [g, []]));
  const ungrouped: string[] = [];
  const hostvars: Record<string, Plain> = {};
  for (const h of [...hosts].sort((a, b) => a.name.localeCompare(b.name))) {
    hostvars[h.name] = hostDocument(h);
    if (!h.groups.length) ungrouped.push(h.name);
    for (const g of h.groups) (groups.get(g) ?? groups.set(g, []).get(g)!).push(h.name);
  }
  const names = [...groups.keys()].sort();
  const doc: Plain = {
    _meta: { hostvars },
    all: { children: ["ungrouped", ...names], ...(settings.vars && Object.keys(settings.vars).length ? { vars: settings.vars } : {}) },
    ungrouped: { hosts: ungrouped },
  };
  for (const g of names) doc[g] = { hosts: groups.get(g), ...(groupVars[g] && Object.keys(groupVars[g]).length ? { vars: groupVars[g] } : {}) };
  return doc;
}
