/** A synthetic fleet for measuring the cost of compatibility decisions (used by `npm run bench`). */
import { performance } from "node:perf_hooks";
import type { Distro, ExternalList, Package, Profile, RequirementList, Stack, System } from "../model/stack.js";
import { CompatDecider } from "./decide.js";

/** The size of a synthetic fleet. */
export interface CompatFleetSize {
  systems: number;
  packagesPerSystem: number;
  lists: number;
  /** Distinct profiles the systems spread over (default 50). */
  profiles?: number;
}

const POS = { file: "bench.yaml", line: 1, column: 1 };

/** Builds the compat-relevant part of a stack of the given size, deterministically. */
export function syntheticCompatStack(size: CompatFleetSize): Pick<Stack, "packages" | "overrides" | "distros" | "profiles" | "systems"> {
  const nProfiles = size.profiles ?? 50;
  const nPackages = Math.max(size.packagesPerSystem * 4, 1);
  const boot = { kind: "linked", url: "http://x/linux" } as const;
  const distros: Record<string, Distro> = {
    "deb-x86": { name: "deb-x86", os: { family: "debian", release: "12" }, arch: "x86_64", kernel: boot, initrd: boot, requires: {}, source: POS },
    "deb-arm": { name: "deb-arm", os: { family: "debian", release: "12" }, arch: "aarch64", kernel: boot, initrd: boot, requires: {}, source: POS },
  };
  const req = (r: Record<string, RequirementList[string]["constraint"]>): RequirementList =>
    Object.fromEntries(Object.entries(r).map(([k, c]) => [k, { constraint: c, source: POS, origin: "requires" }]));
  const packages: Record<string, Package> = {};
  for (let i = 0; i < nPackages; i++) {
    packages[`pkg${i}`] = {
      name: `pkg${i}`, version: `${1 + (i % 7)}.${i % 3}`, optional: i % 5 === 0, source: POS,
      requires: req({ arch: { type: "values", values: ["x86_64"] }, memoryMiB: { type: "numeric", min: 1024 * (i % 4) }, kernel: { type: "version", range: ">=5.10" } }),
    };
  }
  const overrides: Record<string, ExternalList> = {};
  for (let i = 0; i < size.lists; i++) {
    overrides[`list${i}`] = {
      name: `list${i}`, applies: { kind: "package", name: `pkg${i % nPackages}`, versions: `>=1 <${8 + (i % 2)}` },
      attributes: req({ arch: { type: "values", values: ["x86_64", "aarch64"] } }), reason: "bench", priority: Math.floor(i / nPackages), source: POS,
    };
  }
  const profiles: Record<string, Profile> = {};
  for (let i = 0; i < nProfiles; i++) {
    const pk = Array.from({ length: size.packagesPerSystem }, (_, j) => `pkg${(i * 3 + j) % nPackages}`);
    profiles[`prof${i}`] = {
      name: `prof${i}`, lineage: [`prof${i}`], distro: i % 2 ? "deb-arm" : "deb-x86", answerFile: { format: "preseed" }, kernelArgs: [],
      packages: pk, requires: {}, repos: [], timezone: "UTC", locale: "C", extra: {}, source: POS,
    };
  }
  const systems: Record<string, System> = {};
  for (let i = 0; i < size.systems; i++) {
    const profile = `prof${i % nProfiles}`;
    systems[`sys${i}`] = {
      name: `sys${i}`, profile, hostname: `sys${i}`, interfaces: [], netboot: true, kernelArgs: [], extra: {}, source: POS,
      attributes: { arch: profiles[profile].distro === "deb-arm" ? "aarch64" : "x86_64", firmware: i % 2 ? "uefi" : "bios", memoryMiB: 4096 * (1 + (i % 4)), kernel: "6.1.0" },
    };
  }
  return { distros, packages, overrides, profiles, systems };
}

/** Times index building plus one decision per system; milliseconds and the number of incompatibilities. */
export function measureCompat(size: CompatFleetSize): { ms: number; decisions: number; incompatible: number } {
  const stack = syntheticCompatStack(size);
  const t0 = performance.now();
  const decider = new CompatDecider(stack);
  let decisions = 0, incompatible = 0;
  for (const s of Object.values(stack.systems)) {
    const r = decider.decide(s);
    decisions += r.decisions.length;
    incompatible += r.errors.length;
  }
  return { ms: performance.now() - t0, decisions, incompatible };
}
