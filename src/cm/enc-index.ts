/**
 * The ENC index: Puppet runs `bootplan enc` on every agent run, and with a file state of 100,000
 * systems (300 MB) even scanning the state for one node costs more than the answer is worth. Each
 * commit of a file state therefore also writes, beside it, the ENC documents of its Puppet nodes in 64
 * small shards (`<state>.enc/NN.json`, a node's shard chosen by a hash of its name). Each shard names
 * the state file it was made from (size, times, inode); `enc` trusts it only while the state file is
 * still that one, so a shard left by a crash, an older commit or a hand edit is never served, and
 * anything unusual goes the slow way.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { toYaml } from "./yaml-emit.js";
import { stateStamp } from "../state/stamp.js";

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
    const e = encEntry(address, rec);
    if (!e) continue;
    (shards[shardOf(e.node)].nodes[e.node] ??= []).push(e.entry);
    nodes++;
  }
  // A stack without Puppet nodes gets no index (and loses one it had): enc reads the state and says why.
  if (!nodes) return void rmSync(dir, { recursive: true, force: true });
  writeShards(dir, shards.map((sh) => JSON.stringify(sh)));
}

/** The index entry of record `rec` at `address` and its node, if it is a Puppet handoff's. */
function encEntry(address: string, rec: Recorded): { node: string; entry: EncEntry } | undefined {
  const o = rec.outputs as { type?: string; cm?: string; output?: string; node?: { name?: string } };
  const node = o.node?.name;
  if (rec.kind !== "cm" || o.type !== "puppet" || !node || !o.cm) return undefined;
  const enc = encText(rec, `${o.output}/nodes/${node}.yaml`);
  return enc === undefined ? undefined : { node, entry: { cm: o.cm, address, enc } };
}

/** Writes every shard's text (JSON.stringify of a Shard); on any failure the index goes. */
function writeShards(dir: string, texts: (string | Buffer)[]): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    texts.forEach((text, n) => {
      const tmp = `${shardFile(dir, n)}.${process.pid}.tmp`;
      rmSync(tmp, { force: true });
      writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
      renameSync(tmp, shardFile(dir, n));
    });
  } catch {
    // A half-written index must not be trusted: without it enc reads the state itself.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How a shard's text begins (JSON.stringify of a Shard: its stamp, then its serial). */
const shardHead = (state: string): string => `{"state":${JSON.stringify(state)},"serial":`;

/**
 * Brings the index up to date after a commit that rewrote only the records `touched` (a state read in
 * part, state/partial-file.ts): in shards made from the state file as it was (`before`), those records'
 * entries are replaced by the ones `doc` now has. When any shard was not made from it (missing, stale),
 * the index goes, and enc reads the state until the next commit of the whole writes one.
 */
export function patchEncIndex(statePath: string, before: string | undefined, doc: { serial: number; resources: Record<string, Recorded> }, touched: ReadonlySet<string>): void {
  const dir = encIndexDir(statePath);
  if (!existsSync(dir)) return;
  const state = stateStamp(statePath);
  const drop = (): void => void rmSync(dir, { recursive: true, force: true });
  let texts: Buffer[];
  try {
    texts = Array.from({ length: SHARDS }, (_, n) => readFileSync(shardFile(dir, n)));
  } catch {
    return drop();
  }
  const head = Buffer.from(shardHead(before ?? ""));
  if (!before || !state || texts.some((t) => !t.subarray(0, head.length).equals(head))) return drop();
  // Only the shards a touched record was or will be in are parsed; the others get the new stamp and
  // serial in front of their bytes as they were (at 100,000 nodes, parsing all 64 took 0.3 s).
  const quoted = [...touched].map((a) => Buffer.from(JSON.stringify(a)));
  const shards = new Map<number, Shard>();
  const shard = (n: number): Shard => {
    let sh = shards.get(n);
    if (!sh) shards.set(n, (sh = JSON.parse(texts[n].toString("utf8")) as Shard));
    return sh;
  };
  texts.forEach((t, n) => {
    if (!quoted.some((q) => t.includes(q))) return;
    for (const [node, entries] of Object.entries(shard(n).nodes)) {
      if (!entries.some((e) => touched.has(e.address))) continue;
      const kept = entries.filter((e) => !touched.has(e.address));
      if (kept.length) shard(n).nodes[node] = kept;
      else delete shard(n).nodes[node];
    }
  });
  for (const address of touched) {
    const e = doc.resources[address] && encEntry(address, doc.resources[address]);
    if (e) (shard(shardOf(e.node)).nodes[e.node] ??= []).push(e.entry);
  }
  writeShards(dir, texts.map((t, n) => {
    const sh = shards.get(n);
    if (sh) return JSON.stringify({ ...sh, state, serial: doc.serial });
    const rest = t.indexOf(",", head.length);
    return Buffer.concat([Buffer.from(`${shardHead(state)}${doc.serial}`), t.subarray(rest)]);
  }));
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
