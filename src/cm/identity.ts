/** A machine's identity as CM systems see it, and the address of its handoff to one of them. */
import type { System } from "../model/stack.js";
import type { NodeIdentity } from "./types.js";

/** The address of one machine's handoff to one CM system: `cm.<cm>.<system>`. */
export function handoffAddress(cm: string, system: string): string {
  return `cm.${cm}.${system}`;
}

/** The identity a CM system receives for a system: its FQDN as node name, static addresses, MACs. */
export function nodeIdentity(sys: System): NodeIdentity {
  // Plain loops: this runs once per machine and CM system on every plan.
  const ips: string[] = [];
  const macs: string[] = [];
  for (const i of sys.interfaces) {
    if (i.ip) ips.push(i.ip);
    macs.push(i.mac);
  }
  return { name: sys.hostname, system: sys.name, hostname: sys.hostname, ips, macs };
}

/** What nodeIdentity takes from a system, as one string (a render key's part), without building the identity. */
export function nodeIdentityKey(sys: System): string {
  let text = sys.hostname;
  for (const i of sys.interfaces) text += `\0${i.ip ?? ""}\0${i.mac}`;
  return text;
}
