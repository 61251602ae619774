/** Facts the helper reports about a machine, and how they map onto compatibility attributes. */
import type { SshSession } from "./pool.js";
import { runHelper, type HelperRunOptions } from "./helper.js";

/** What `bootplan-helper facts` prints. */
export interface Facts {
  helper: string;
  version: string;
  hostname: string;
  arch: string;
  kernel: string;
  os: { id: string; versionId: string; idLike: string; prettyName: string };
  firmware: "uefi" | "bios";
  memoryMiB: number | null;
  cpus: number | null;
  cpuFlags: string[];
  disks: { name: string; sizeBytes: number | null }[];
  interfaces: { name: string; mac: string }[];
  bootTools: Record<string, boolean>;
}

/** Runs `facts` on the target (uploading the helper first when needed). */
export function gatherFacts(s: SshSession, opts: HelperRunOptions = {}): Promise<Facts> {
  return runHelper<Facts>(s, ["facts"], opts);
}

/**
 * The hardware attributes facts establish: arch, firmware, memoryMiB, cpus, cpuFlags. The running
 * OS and kernel are left out on purpose: compatibility is decided for the distro being installed,
 * not the one the machine runs now (`facts` still shows them).
 */
export function factAttributes(f: Facts): Record<string, unknown> {
  const out: Record<string, unknown> = { arch: f.arch, firmware: f.firmware };
  if (typeof f.memoryMiB === "number") out.memoryMiB = f.memoryMiB;
  if (typeof f.cpus === "number") out.cpus = f.cpus;
  if (f.cpuFlags.length) out.cpuFlags = f.cpuFlags;
  return out;
}

/** One declared attribute whose discovered value differs. */
export interface FactDifference {
  attribute: string;
  declared: unknown;
  discovered: unknown;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    // Declared cpuFlags are the flags required: the machine must have each of them.
    return a.every((x) => b.includes(x));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Declared attributes that facts contradict (attributes the facts do not cover are not compared). */
export function compareFacts(declared: Record<string, unknown>, facts: Facts): FactDifference[] {
  const found = factAttributes(facts);
  const out: FactDifference[] = [];
  for (const [k, v] of Object.entries(declared)) {
    if (!(k in found)) continue;
    if (!same(v, found[k])) out.push({ attribute: k, declared: v, discovered: found[k] });
  }
  return out;
}
