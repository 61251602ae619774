/**
 * CM handoff resources. Each (CM system, system) pair is `cm.<cm>.<system>` (kind "cm"), owning that
 * node's own files and depending on `system.<system>`, so a machine is handed over once provisioned.
 * Each CM system is `cm.<cm>` (kind "cm-index"), owning the files every member shares (the Ansible
 * inventory, Salt's top files) and the node directory `bootplan enc`/`inventory` look names up in;
 * it depends on its members, so removing a machine updates the shared files before its own go.
 */
import { StackError } from "../errors.js";
import type { Stack, System } from "../model/stack.js";
import { ADAPTERS } from "../cm/adapters.js";
import type { Member } from "../cm/adapter.js";
import { handoffAddress, nodeIdentity } from "../cm/identity.js";
import { pillarSls } from "../cm/salt.js";
import type { CmSystem } from "../cm/types.js";
import { addressOf, type DesiredResource } from "./resource.js";

function prefixed(dir: string, files: Record<string, string>): Record<string, string> {
  // Keys are unique per machine; a null-prototype map keeps V8 from growing a hidden class per key.
  const out: Record<string, string> = Object.create(null);
  for (const rel in files) out[`${dir}/${rel}`] = files[rel];
  return out;
}

/** Two members may not share a node name (or, for Salt, a pillar file): their artifacts would collide. */
function checkUnique(cm: CmSystem, sys: System, key: string, seen: Map<string, string>): void {
  const other = seen.get(key);
  if (other) throw new StackError("cm.duplicate-node", sys.source, `systems.${sys.name}: CM system ${cm.name} already receives ${other} as ${JSON.stringify(key)}; give the systems distinct hostnames`);
  seen.set(key, sys.name);
}

/** The handoff and index resources of every CM system, in a stable order. */
export function buildCmResources(stack: Stack, root: string): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const cm of Object.values(stack.cm).sort((a, b) => a.name.localeCompare(b.name))) {
    const adapter = ADAPTERS[cm.type];
    const members: Member[] = [];
    const nodes: Record<string, string> = {};
    const seen = new Map<string, string>();
    const seenPillar = new Map<string, string>();
    const addresses: string[] = [];
    for (const name of Object.keys(cm.members).sort()) {
      const sys = stack.systems[name];
      const node = nodeIdentity(sys);
      checkUnique(cm, sys, node.name, seen);
      if (cm.type === "salt") checkUnique(cm, sys, pillarSls(node.name), seenPillar);
      const h = adapter.handoff(cm, node, cm.members[name].value);
      const address = handoffAddress(cm.name, name);
      addresses.push(address);
      members.push({ node, class: h.class });
      nodes[node.name] = name;
      out.push({
        address, kind: "cm", name: `${cm.name}.${name}`, dependsOn: [addressOf("system", name)], secretNames: [],
        inputs: {
          name: `${cm.name}.${name}`, root, cm: cm.name, type: cm.type, system: name,
          node: { name: node.name, ips: node.ips, macs: node.macs }, class: h.class, output: cm.output,
          files: prefixed(cm.output, h.files),
        },
      });
    }
    const index = adapter.index(cm, members);
    out.push({
      address: addressOf("cm", cm.name), kind: "cm-index", name: cm.name, dependsOn: addresses, secretNames: [],
      inputs: {
        name: cm.name, root, type: cm.type, output: cm.output, settings: cm.settings, nodes, ...index.fields,
        files: prefixed(cm.output, index.files),
      },
    });
  }
  return out;
}
