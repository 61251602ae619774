/** The attribute vocabulary: known attributes and their types, and a target's attributes with their origins. */
import type { Distro, System } from "../model/stack.js";

/** How an attribute is compared: one of allowed values, a numeric range, a version range, or required flags. */
export type AttributeType = "values" | "numeric" | "version" | "flags";

/** Attributes bootplan knows, with their type; operator-defined keys take the type their constraint has. */
export const KNOWN_ATTRIBUTES: Record<string, AttributeType> = {
  arch: "values",
  os: "values",
  osFamily: "values",
  platform: "values",
  firmware: "values",
  memoryMiB: "numeric",
  cpus: "numeric",
  kernel: "version",
  cpuFlags: "flags",
};

/** One attribute of a target: its value and where the value came from. */
export interface TargetAttribute {
  value: unknown;
  origin: string;
}

/**
 * A system's attributes: those declared on it, plus `os` (family-release), `osFamily` and `arch`
 * from its profile's distro where not declared, and `platform: linux` (every installer bootplan
 * renders installs Linux); facts gathered over SSH (`--use-facts`) override declared values.
 */
export function targetAttributes(system: System, distro: Distro): Record<string, TargetAttribute> {
  const out: Record<string, TargetAttribute> = {};
  const derived: Record<string, unknown> = {
    arch: distro.arch, os: `${distro.os.family}-${distro.os.release}`, osFamily: distro.os.family, platform: "linux",
  };
  for (const [k, v] of Object.entries(derived)) out[k] = { value: v, origin: k === "platform" ? "default" : `from distro ${distro.name}` };
  for (const [k, v] of Object.entries(system.attributes)) out[k] = { value: v, origin: "declared" };
  // plan --use-facts: what the machine really is wins over what was declared.
  for (const [k, v] of Object.entries(system.facts ?? {})) {
    const was = system.attributes[k];
    out[k] = { value: v, origin: was === undefined || JSON.stringify(was) === JSON.stringify(v) ? "from facts" : `from facts; declared ${JSON.stringify(was)}` };
  }
  return out;
}
