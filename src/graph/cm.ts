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
import { handoffAddress, nodeIdentity, nodeIdentityKey } from "../cm/identity.js";
import { pillarSls } from "../cm/salt.js";
import type { CmSystem, NodeIdentity } from "../cm/types.js";
import type { CmShaper } from "../plugins/plan-hooks.js";
import { sha256 } from "../util/hash.js";
import { cmFingerprint } from "./render-cache.js";
import { addressOf, type DesiredResource } from "./resource.js";
import { flatText } from "../util/flat-text.js";

/** The rendered files under the CM system's output folder, each flattened (a plan holds them until apply). */
function prefixed(dir: string, files: Record<string, string>): Record<string, string> {
  // Keys are unique per machine; a null-prototype map keeps V8 from growing a hidden class per key.
  const out: Record<string, string> = Object.create(null);
  for (const rel in files) out[`${dir}/${rel}`] = flatText(files[rel]);
  return out;
}

/**
 * Two members may not share a node name (the system's hostname, cm/identity.ts) or, for Salt, a pillar
 * file: their artifacts would collide. Every member is checked, even for a targeted plan, which must not
 * write a node name another system owns. The error names the first clash in name order; the names are
 * sorted only to find it (a targeted plan need not sort 100,000 of them).
 */
function checkMembersUnique(stack: Stack, cm: CmSystem, names: string[]): void {
  // Node names and pillar files are told apart by their kind's number before the key.
  const keysOf = (sys: System): string[] => (cm.type === "salt" ? [`0:${sys.hostname}`, `1:${pillarSls(sys.hostname)}`] : [`0:${sys.hostname}`]);
  const seen = new Set<string>();
  let clash = false;
  for (const n of names) {
    for (const key of keysOf(stack.systems[n])) {
      if (seen.has(key)) clash = true;
      seen.add(key);
    }
  }
  if (!clash) return;
  const owner = new Map<string, string>();
  for (const n of [...names].sort()) {
    const sys = stack.systems[n];
    for (const key of keysOf(sys)) {
      const other = owner.get(key);
      if (other) throw new StackError("cm.duplicate-node", sys.source, `systems.${sys.name}: CM system ${cm.name} already receives ${other} as ${JSON.stringify(key.slice(2))}; give the systems distinct hostnames`);
      owner.set(key, n);
    }
  }
}

/** What building the CM resources needs beyond the stack. */
export interface CmBuildOptions {
  /** Recorded outputs by address: a handoff whose render key is unchanged reuses its recorded class and digests. */
  recorded?: (address: string) => Record<string, unknown> | undefined;
  /** Each system's render key (graph/render-cache.ts): it covers everything a plugin's cm hook sees of the system. */
  systemKeys?: ReadonlyMap<string, string>;
  /** Plugins' cm hooks (plugins/plan-hooks.ts), run only for a handoff rendered afresh. */
  shape?: CmShaper;
  /** Build the handoffs of these systems alone, and no index (a targeted plan, graph/scope.ts). */
  only?: ReadonlySet<string>;
}

const sha = (parts: string[]): string => sha256(parts.join("\0"), "base64url");

/** What a handoff records of its node's identity. */
const nodeInputs = (node: NodeIdentity): Record<string, unknown> => ({ name: node.name, ips: node.ips, macs: node.macs });

// Members that add nothing of their own share their profile's merged binding (cm/resolve.ts): one text each.
const bindingText = new WeakMap<object, string>();
function jsonOf(binding: Record<string, unknown>): string {
  let text = bindingText.get(binding);
  if (text === undefined) bindingText.set(binding, (text = JSON.stringify(binding)));
  return text;
}

// The hash of a CM system's part and a binding, once per binding object (shared by a profile's systems).
const bindingKeys = new WeakMap<object, { part: string; key: string }>();
function bindingKey(part: string, binding: Record<string, unknown>): string {
  const known = bindingKeys.get(binding);
  if (known?.part === part) return known.key;
  const key = sha([part, jsonOf(binding)]);
  bindingKeys.set(binding, { part, key });
  return key;
}

/**
 * A handoff's key: half of its system's render key and half of its binding's, both sha256 in base64url
 * (132 bits each), joined rather than hashed again: a fleet's plan makes one for each of 10,000s of handoffs.
 */
function handoffKey(systemKey: string, bindingKey: string): string {
  return systemKey.slice(0, 22) + bindingKey.slice(0, 22);
}

/** The recorded outputs of `address` when they were rendered under `key` and can stand for a rendering. */
function reusable(opts: CmBuildOptions, address: string, key: string | undefined): Record<string, unknown> | undefined {
  const rec = key === undefined ? undefined : opts.recorded?.(address);
  return rec && rec.renderKey === key && rec.fileDigests && !rec.files ? rec : undefined;
}

/**
 * The handoff and index resources of every CM system, in a stable order. A handoff is a pure function of
 * the CM adapters' code, the CM system's settings, the system (its render key) and its binding, so when
 * none of them changed since the last apply the recorded class and file digests stand for it: neither the
 * plugins' cm hooks nor the adapter run. An index whose members all kept their keys is reused likewise.
 */
export function buildCmResources(stack: Stack, root: string, opts: CmBuildOptions = {}): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const cm of Object.values(stack.cm).sort((a, b) => a.name.localeCompare(b.name))) {
    const adapter = ADAPTERS[cm.type];
    const part = opts.systemKeys && sha([cmFingerprint(), JSON.stringify([cm.name, cm.type, cm.output, cm.settings])]);
    // Members by name and class: their node identities are worked out only if the index is rendered.
    const members: { name: string; class: Member["class"] }[] = [];
    const nodes: Record<string, string> = {};
    const addresses: string[] = [];
    // The index's key: the CM system's part and what the index shows of every member, its node identity
    // and class, in order; none when a member has no key. Not the members' own keys: a change to one
    // system's boot options must not render again, and record again, an index of 100,000 nodes.
    let index: string[] | undefined = part === undefined ? undefined : [part];
    const names = Object.keys(cm.members);
    checkMembersUnique(stack, cm, names);
    for (const name of (opts.only ? names.filter((n) => opts.only!.has(n)) : names).sort()) {
      const sys = stack.systems[name];
      const address = handoffAddress(cm.name, name);
      const handoff = `${cm.name}.${name}`;
      const binding = cm.members[name].value;
      const sysKey = opts.systemKeys?.get(name);
      const key = part !== undefined && sysKey !== undefined ? handoffKey(sysKey, bindingKey(part, binding)) : undefined;
      if (key === undefined) index = undefined;
      let cls: Member["class"], notes: string[] | undefined;
      let inputs: Record<string, unknown>;
      const rec = reusable(opts, address, key);
      if (rec) {
        cls = rec.class as Member["class"];
        if (Array.isArray(rec.pluginNotes)) notes = rec.pluginNotes as string[];
        // The key covers the system's hostname and interfaces, so the recorded node identity is the one
        // nodeIdentity would give: taken as recorded, like the class (10,000s of handoffs, every plan).
        inputs = { name: handoff, root, cm: cm.name, type: cm.type, system: name, node: rec.node ?? nodeInputs(nodeIdentity(sys)), class: cls, output: cm.output, fileDigests: rec.fileDigests };
      } else {
        const node = nodeIdentity(sys);
        const shaped = opts.shape?.(cm, name, binding);
        const h = adapter.handoff(cm, node, shaped?.value ?? binding);
        cls = h.class;
        notes = shaped?.notes;
        inputs = { name: handoff, root, cm: cm.name, type: cm.type, system: name, node: nodeInputs(node), class: cls, output: cm.output, files: prefixed(cm.output, h.files) };
      }
      if (key !== undefined) inputs.renderKey = key;
      // Recorded, so a reused handoff still says what the plugins did to it.
      if (notes?.length) inputs.pluginNotes = notes;
      addresses.push(address);
      members.push({ name, class: cls });
      index?.push(name, nodeIdentityKey(sys), JSON.stringify(cls));
      nodes[sys.hostname] = name;
      out.push({
        address, kind: "cm", name: handoff, dependsOn: [addressOf("system", name)], secretNames: [],
        inputs, ...(notes?.length ? { notes } : {}),
      });
    }
    if (opts.only) continue;
    const address = addressOf("cm", cm.name);
    // An array, not arguments: 100,000 members are more arguments than a call may take.
    const key = index && sha(index);
    const rec = reusable(opts, address, key);
    const shared = rec ? { fields: fieldsOf(rec, adapter.index(cm, []).fields), fileDigests: rec.fileDigests } : undefined;
    const built = shared ? undefined : adapter.index(cm, members.map((m) => ({ node: nodeIdentity(stack.systems[m.name]), class: m.class })));
    out.push({
      address, kind: "cm-index", name: cm.name, dependsOn: addresses, secretNames: [],
      inputs: {
        name: cm.name, root, type: cm.type, output: cm.output, settings: cm.settings, nodes,
        ...(shared ? { ...shared.fields, fileDigests: shared.fileDigests } : { ...built!.fields, files: prefixed(cm.output, built!.files) }),
        ...(key !== undefined ? { renderKey: key } : {}),
      },
    });
  }
  return out;
}

/** The index fields (named by an empty index's) as recorded. */
function fieldsOf(rec: Record<string, unknown>, empty: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(empty)) if (k in rec) out[k] = rec[k];
  return out;
}
