/**
 * The part of a stack a targeted plan builds. A plan of `--target system.web01` covers web01 and what it
 * depends on (its profile, distro and repos): of a 100,000-system fleet it builds that one system and its
 * CM handoffs, and reads their records alone, instead of building every system to keep one.
 */
import { handoffAddress } from "../cm/identity.js";
import type { Stack } from "../model/stack.js";
import { addressOf, parseAddress } from "./resource.js";

/** What a targeted build makes besides the stack's distros, repos and profiles, which it always makes. */
export interface BuildScope {
  /** Systems built, each with its CM handoffs. */
  systems: ReadonlySet<string>;
  /** Guests built (each needs its own system and its hypervisor's in scope too). */
  guests: ReadonlySet<string>;
}

/**
 * The scope `addresses` (--target and --replace) need, or undefined when one of them needs every system:
 * a CM index lists every member, the server's DHCP configuration every interface.
 */
export function targetScope(stack: Pick<Stack, "cm" | "guests">, addresses: string[]): BuildScope | undefined {
  if (!addresses.length) return undefined;
  const systems = new Set<string>();
  const guests = new Set<string>();
  for (const a of addresses) {
    const { kind, name } = parseAddress(a);
    if (kind === "distro" || kind === "repo" || kind === "profile") continue;
    if (kind === "system") systems.add(name);
    else if (kind === "guest") {
      guests.add(name);
      systems.add(name);
      const host = stack.guests[name]?.hypervisorSystem;
      if (host) systems.add(host);
    } else if (kind === "cm") {
      if (stack.cm[name]) return undefined;
      const cm = Object.keys(stack.cm).find((c) => name.startsWith(`${c}.`));
      // An address of no CM system of the stack names a recorded handoff at most: nothing to build for it.
      if (cm) systems.add(name.slice(cm.length + 1));
    } else return undefined;
  }
  return { systems, guests };
}

/** Every address a build in `scope` can make: the records a targeted plan reads. */
export function scopeAddresses(stack: Pick<Stack, "distros" | "repos" | "profiles" | "cm">, scope: BuildScope): string[] {
  const out = [
    ...Object.keys(stack.distros).map((n) => addressOf("distro", n)),
    ...Object.keys(stack.repos).map((n) => addressOf("repo", n)),
    ...Object.keys(stack.profiles).map((n) => addressOf("profile", n)),
    ...[...scope.guests].map((n) => addressOf("guest", n)),
  ];
  for (const name of scope.systems) {
    out.push(addressOf("system", name));
    for (const cm of Object.values(stack.cm)) if (cm.members[name]) out.push(handoffAddress(cm.name, name));
  }
  return out;
}
