/**
 * The ENC index: Puppet runs `bootplan enc` on every agent run, and with a file state of 100,000
 * systems (300 MB) even scanning the state for one node costs more than the answer is worth. Each
 * commit of a file state therefore also writes, beside it, the ENC documents of its Puppet nodes in 64
 * small shards (`<state>.enc/NN.json`, a node's shard chosen by a hash of its name). Each shard names
 * the state file it was made from (size, times, inode); `enc` trusts it only while the state file is
 * still that one, so a shard left by a crash, an older commit or a hand edit is never served, and
 * anything unusual goes the slow way.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { toYaml } from "./yaml-emit.js";

/** How many shards the index has. */
const SHARDS = 64;

/** A recorded resource, as far as the index reads it. */
interface Recorded {
  kind: string;
  outputs: Record<string, unknown>;
}

/** One Puppet handoff of a node, as the index keeps it. */
export interface EncEntry {
  /** The CM system (its `cm:` name) and the handoff's address. */
  cm: string;
  address: string;
  /** The ENC YAML. */
  enc: string;
}

interface Shard {
  /** The state file it was made from (stateStamp), and that state's serial (for people reading it). */
  state: string;
  serial: number;
  nodes: Record<string, EncEntry[]>;
}

/** The ENC YAML a handoff wrote: the recorded text in an older state, else rendered again from its recorded class. */
export function encText(rec: Recorded, path: string): string | undefined {
  const o = rec.outputs as { files?: Record<string, string>; fileDigests?: Record<string, string>; class?: Record<string, unknown> };
  if (o.files?.[path] !== undefined) return o.files[path];
  return o.fileDigests?.[path] !== undefined && o.class ? toYaml(o.class) : undefined;
}

/** The Puppet handoffs among a node's records: those of CM system `cm` when one is named. */
export function puppetHandoffs<T extends { rec: Recorded }>(found: T[], cm?: string): T[] {
  return found.filter((h) => h.rec.outputs.type === "puppet" && (!cm || h.rec.outputs.cm === cm));
}

/** The ENC YAML handoff `rec` wrote for node `fqdn`. */
export function nodeEncText(rec: Recorded, fqdn: string): string | undefined {
  return encText(rec, `${rec.outputs.output as string}/nodes/${fqdn}.yaml`);
}

/** The folder of a state file's index. */
export function encIndexDir(statePath: string): string {
  return `${statePath}.enc`;
}

/** FNV-1a of the node name: the shard it lives in. */
function shardOf(node: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < node.length; i++) h = Math.imul(h ^ node.charCodeAt(i), 0x01000193);
  return (h >>> 0) % SHARDS;
}

const shardFile = (dir: string, n: number): string => `${dir}/${String(n).padStart(2, "0")}.json`;

/**
 * Writes the index of a state just committed. Best effort: the state is what counts, and a missing or
 * stale index only sends `enc` the slow way. Not fsynced for the same reason.
 */
export function writeEncIndex(statePath: string, doc: { serial: number; resources: Record<string, Recorded> }): void {
  const dir = encIndexDir(statePath);
  const state = stateStamp(statePath);
  if (!state) return;
  const shards: Shard[] = Array.from({ length: SHARDS }, () => ({ state, serial: doc.serial, nodes: {} }));
  let nodes = 0;
  for (const [address, rec] of Object.entries(doc.resources)) {
    const o = rec.outputs as { type?: string; cm?: string; output?: string; node?: { name?: string } };
    const node = o.node?.name;
    if (rec.kind !== "cm" || o.type !== "puppet" || !node || !o.cm) continue;
    const enc = encText(rec, `${o.output}/nodes/${node}.yaml`);
    if (enc === undefined) continue;
    (shards[shardOf(node)].nodes[node] ??= []).push({ cm: o.cm, address, enc });
    nodes++;
  }
  // A stack without Puppet nodes gets no index (and loses one it had): enc reads the state and says why.
  if (!nodes) return void rmSync(dir, { recursive: true, force: true });
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    shards.forEach((s, n) => {
      const tmp = `${shardFile(dir, n)}.${process.pid}.tmp`;
      rmSync(tmp, { force: true });
      writeFileSync(tmp, JSON.stringify(s), { mode: 0o600, flag: "wx" });
      renameSync(tmp, shardFile(dir, n));
    });
  } catch {
    // A half-written index must not be trusted: without it enc reads the state itself.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What identifies the state file's bytes: a rewrite by anyone moves its ctime and inode. */
function stateStamp(statePath: string): string | undefined {
  try {
    const st = statSync(statePath, { bigint: true });
    return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * A node's Puppet handoffs from the index; undefined when the index cannot vouch for the state as it
 * is now (missing, unreadable, or made from another lineage or serial).
 */
export function lookUpEncIndex(statePath: string, node: string): EncEntry[] | undefined {
  // An apply in progress (or a crashed one) has operations the state file does not show yet.
  if (existsSync(`${statePath}.journal`)) return undefined;
  let shard: Shard;
  try {
    shard = JSON.parse(readFileSync(shardFile(encIndexDir(statePath), shardOf(node)), "utf8")) as Shard;
  } catch {
    return undefined;
  }
  const stamp = stateStamp(statePath);
  if (!stamp || stamp !== shard.state || shard.serial === undefined) return undefined;
  return shard.nodes[node] ?? [];
}
