/**
 * Guests in the stack: each `guests:` entry becomes a system entry of the same name (so boot configs,
 * answer file, compatibility and CM handoff treat it like any machine) plus a typed Guest for libvirt.
 */
import { StackError } from "../errors.js";
import type { Guest, System } from "../model/stack.js";
import type { RawEntry, RawStack } from "../stack/raw.js";
import { formatDocPath, lazyPosition, locate, type DocPath } from "../stack/yaml.js";
import { isMulticastMac, parseMac } from "../util/net.js";
import { sha256Hex } from "../util/hash.js";

const at = (e: RawEntry, sub: DocPath) => locate(e.file, [...e.path, ...sub]);
const name = (e: RawEntry, sub: DocPath) => formatDocPath([...e.path, ...sub]);

/** The MAC of a guest that declares none: QEMU's 52:54:00 prefix and three bytes of a hash of its name, so plans are stable. */
export function guestMac(guestName: string): string {
  const h = sha256Hex(`bootplan guest ${guestName}`);
  return `52:54:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

/** A guest entry as the schema admits it. */
interface RawGuest {
  hypervisor: string;
  profile: string;
  hostname?: string;
  memoryMiB: number;
  vcpus: number;
  firmware?: "bios" | "uefi";
  disks?: { sizeGiB: number; pool?: string }[];
  network?: string;
  mac?: string;
  ip?: string;
  gateway?: string;
  dns?: string[];
  attributes?: Record<string, unknown>;
  netboot?: boolean;
  kernelArgs?: string[];
  manage?: unknown;
}

/**
 * Adds a system entry for every guest to `raw.kinds.systems` (before systems are resolved, so MACs,
 * IPs, attributes and CM bindings are checked once for all machines). Guest attributes default to
 * what the guest is given: memoryMiB, cpus and firmware.
 */
export function addGuestSystems(raw: RawStack, errors: StackError[]): void {
  for (const e of raw.kinds.guests.values()) {
    const g = e.value as unknown as RawGuest;
    const other = raw.kinds.systems.get(e.name);
    if (other) {
      const there = locate(other.file, other.path, "key");
      errors.push(new StackError("stack.duplicate-name", locate(e.file, e.path, "key"), `guests.${e.name}: a guest is also a system, and systems.${e.name} is defined at ${there.file}:${there.line}:${there.column}`));
      continue;
    }
    let mac = guestMac(e.name);
    if (g.mac !== undefined) {
      const m = parseMac(g.mac);
      if (!m || isMulticastMac(m)) {
        errors.push(new StackError("stack.invalid-mac", at(e, ["mac"]), `${name(e, ["mac"])}: expected a unicast MAC address like 52:54:00:12:34:01, found ${JSON.stringify(g.mac)}`));
        continue;
      }
      mac = m;
    }
    const nic: Record<string, unknown> = { mac };
    for (const k of ["ip", "gateway", "dns"] as const) if (g[k] !== undefined) nic[k] = g[k];
    const value: Record<string, unknown> = {
      profile: g.profile,
      interfaces: [nic],
      attributes: { memoryMiB: g.memoryMiB, cpus: g.vcpus, firmware: g.firmware ?? "bios", ...(g.attributes ?? {}) },
    };
    for (const k of ["hostname", "netboot", "kernelArgs", "manage"] as const) if (g[k] !== undefined) value[k] = g[k];
    raw.kinds.systems.set(e.name, { ...e, value });
  }
}

/** SSH settings a hypervisor system may declare (`ssh:` on systems, issue #11): where and as whom to log in. */
interface SshAccess {
  host?: string;
  port?: number;
  user?: string;
}

/**
 * The libvirt URI of a hypervisor named by system: virsh's own SSH transport, to the host, port and
 * user of the system's `ssh:` when it has one, else root at its hostname.
 */
export function systemHypervisorUri(system: Pick<System, "hostname">, ssh?: SshAccess): string {
  return `qemu+ssh://${ssh?.user ?? "root"}@${ssh?.host ?? system.hostname}${ssh?.port ? `:${ssh.port}` : ""}/system`;
}

/** Resolves every guest's hypervisor (a libvirt URI, or a system that is not itself a guest) into a Guest. */
export function resolveGuests(raw: RawStack, systems: Record<string, System>, errors: StackError[]): Record<string, Guest> {
  const out: Record<string, Guest> = {};
  for (const e of raw.kinds.guests.values()) {
    const g = e.value as unknown as RawGuest;
    const mac = systems[e.name]?.interfaces[0]?.mac;
    if (!mac) continue; // the system half is invalid and already reported
    let uri = g.hypervisor;
    let hypervisorSystem: string | undefined;
    if (!/^[a-z][a-z0-9+]*:\/\//.test(g.hypervisor)) {
      const host = systems[g.hypervisor];
      if (!host || raw.kinds.guests.has(g.hypervisor)) {
        const known = Object.keys(systems).filter((s) => !raw.kinds.guests.has(s));
        errors.push(new StackError("stack.dangling-ref", at(e, ["hypervisor"]), `${name(e, ["hypervisor"])}: ${JSON.stringify(g.hypervisor)} is neither a libvirt URI (like qemu:///system) nor a system (systems: ${known.join(", ") || "none"})`));
        continue;
      }
      hypervisorSystem = g.hypervisor;
      uri = systemHypervisorUri(host, raw.kinds.systems.get(g.hypervisor)?.value.ssh as SshAccess | undefined);
    }
    out[e.name] = {
      name: e.name, uri, hypervisorSystem, memoryMiB: g.memoryMiB, vcpus: g.vcpus, firmware: g.firmware ?? "bios",
      disks: (g.disks ?? []).map((d) => ({ sizeGiB: d.sizeGiB, pool: d.pool ?? "default" })),
      network: g.network ?? "default", mac, source: lazyPosition(e.file, e.path, "key"),
    };
  }
  return out;
}
