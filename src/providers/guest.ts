/**
 * Provider for `guest.*`: a libvirt domain on a hypervisor. Memory and vCPUs change in place (the
 * domain is redefined); anything about its disks, network, firmware or installation replaces it.
 * Methods load their implementation inside their bodies so Pulumi can serialize the provider.
 */
import type { BootplanProvider } from "./types.js";

type Props = Record<string, unknown>;

/** Inputs whose change replaces the guest (a new domain with new disks, installed from the network). */
export const GUEST_REPLACE_ON = ["exists", "name", "uri", "arch", "distro", "firmware", "disks", "network", "mac"];

/** The guest provider. */
export const guestProvider: BootplanProvider = {
  async check(_olds: Props, news: Props) {
    return { inputs: news };
  },
  async diff(_id: string, olds: Props, news: Props) {
    const { diffProps } = await import("bootplan/providers/diff.js");
    const { GUEST_REPLACE_ON: replaceOn } = await import("bootplan/providers/guest.js");
    return diffProps(olds, news, replaceOn, true);
  },
  async create(inputs: Props) {
    const ops = await import("bootplan/virt/guest-ops.js");
    return { id: String(inputs.name), outs: await ops.createGuest(inputs as never) };
  },
  async read(id: string, props?: Props) {
    const ops = await import("bootplan/virt/guest-ops.js");
    return props ? ops.readGuest(id, props as never) : { id, props: {} };
  },
  async update(_id: string, olds: Props, news: Props) {
    const ops = await import("bootplan/virt/guest-ops.js");
    return { outs: await ops.updateGuest(olds as never, news as never) };
  },
  async delete(_id: string, props: Props) {
    const ops = await import("bootplan/virt/guest-ops.js");
    await ops.deleteGuest(props as never);
  },
};
