/** Guests -> desired `guest.*` resources, each after its own system (boot configs first) and its hypervisor. */
import type { Stack } from "../model/stack.js";
import { addressOf, type DesiredResource } from "../graph/resource.js";

/** One `guest.NAME` per guest, in name order. */
export function buildGuestResources(stack: Pick<Stack, "guests" | "systems" | "profiles" | "distros">): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const g of Object.values(stack.guests)) {
    const sys = stack.systems[g.name];
    const distro = stack.distros[stack.profiles[sys.profile].distro];
    out.push({
      address: addressOf("guest", g.name), kind: "guest", name: g.name, secretNames: [],
      dependsOn: [addressOf("system", g.name), ...(g.hypervisorSystem ? [addressOf("system", g.hypervisorSystem)] : [])],
      inputs: {
        // "The domain exists": read reports false for a domain deleted by hand, so drift names it and plan recreates it.
        exists: true, name: g.name, uri: g.uri, arch: distro.arch, distro: distro.name, memoryMiB: g.memoryMiB, vcpus: g.vcpus,
        firmware: g.firmware, disks: g.disks, network: g.network, mac: g.mac,
      },
      installNotes: [`libvirt: define on ${g.uri} and start, booting from the network`],
    });
  }
  return out;
}
