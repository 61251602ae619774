/** The unit of planning: one desired resource with an address, inputs and dependencies. */

import type { IncompatibleTargetError } from "../compat/errors.js";

/** Resource kinds, each with its own provider. */
export type ResourceKind = "distro" | "repo" | "profile" | "system" | "cm" | "cm-index"
  | "guest" // a libvirt domain on a hypervisor (#12)
  | "server" | "loader"; // what bootplan serve needs: dnsmasq config and chain scripts; a boot loader (#10)

/** A resource the stack asks for. Inputs are plain JSON; secrets appear only as markers and digests. */
export interface DesiredResource {
  /** `kind.name`, e.g. `system.web01`. */
  address: string;
  kind: ResourceKind;
  name: string;
  inputs: Record<string, unknown>;
  /** Addresses that must be in place before this one. */
  dependsOn: string[];
  /** Secrets whose values the provider needs to write this resource. */
  secretNames: string[];
  /** Lines the plan shows with the resource, e.g. which external lists governed its packages. */
  notes?: string[];
  /** The stack file (relative to the stack directory) that declares it; recorded so a later destroy can name it. */
  declaredIn?: string;
  /** Lines the plan shows only when the resource is created or replaced (an install), e.g. its power actions. */
  installNotes?: string[];
  /** Why it cannot be planned (a target outside a governing list); the plan fails when it is in scope. */
  incompatible?: IncompatibleTargetError[];
}

/** Builds an address from a kind and a name. */
export function addressOf(kind: string, name: string): string {
  return `${kind}.${name}`;
}

/** Splits an address into kind and name (names may contain dots, kinds do not). */
export function parseAddress(address: string): { kind: string; name: string } {
  const i = address.indexOf(".");
  return i < 0 ? { kind: address, name: "" } : { kind: address.slice(0, i), name: address.slice(i + 1) };
}
