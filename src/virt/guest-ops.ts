/**
 * What the guest provider does to libvirt: create disks, define and start the domain (booting from the
 * network), redefine it with new memory or vCPUs, read what libvirt really has, and remove it all.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Guest } from "../model/stack.js";
import { parseDomainXml, renderDomainXml, volumeName, type DomainSpec } from "./domain-xml.js";
import { virsh, virshIfExists } from "./virsh.js";

type Props = Record<string, unknown>;

/** A guest resource's inputs, as the graph builds them, and what the provider records beside them. */
export type GuestProps = Pick<Guest, "name" | "uri" | "memoryMiB" | "vcpus" | "firmware" | "disks" | "network" | "mac"> & {
  exists: boolean;
  arch: string;
  /** What libvirt reported at the last apply or read: never desired, never diffed. */
  observed?: { domainType?: string; state?: string; uuid?: string };
};

/** The best virtualization type the hypervisor offers for guests: kvm, else qemu (TCG), else whatever its driver has (test). */
export async function domainTypeOf(uri: string): Promise<string> {
  const caps = await virsh(uri, ["capabilities"]);
  const types = new Set([...caps.matchAll(/<domain\s+type=['"]([a-z]+)['"]/g)].map((m) => m[1]));
  return types.has("kvm") ? "kvm" : types.has("qemu") ? "qemu" : [...types][0] ?? "qemu";
}

function spec(p: GuestProps, domainType: string, uuid?: string): DomainSpec {
  return {
    name: p.name, domainType, uuid, arch: p.arch, memoryMiB: p.memoryMiB, vcpus: p.vcpus, firmware: p.firmware,
    disks: p.disks.map((d, i) => ({ pool: d.pool, volume: volumeName(p.name, i) })), network: p.network, mac: p.mac,
  };
}

/** Defines (or redefines, keeping its UUID) the domain from bootplan's XML. */
async function define(p: GuestProps, domainType: string): Promise<void> {
  const uuid = (await virshIfExists(p.uri, ["domuuid", p.name]))?.trim() || undefined;
  const dir = mkdtempSync(join(tmpdir(), "bootplan-domain-"));
  try {
    const file = join(dir, `${p.name}.xml`);
    writeFileSync(file, renderDomainXml(spec(p, domainType, uuid)), { mode: 0o600 });
    await virsh(p.uri, ["define", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function domainState(uri: string, name: string): Promise<string | undefined> {
  return (await virshIfExists(uri, ["domstate", name]))?.trim().split("\n")[0];
}

async function observe(p: GuestProps, domainType: string): Promise<NonNullable<GuestProps["observed"]>> {
  const state = await domainState(p.uri, p.name);
  const uuid = (await virshIfExists(p.uri, ["domuuid", p.name]))?.trim();
  return { domainType, state: state ?? "missing", uuid };
}

/** Creates the guest's volumes (reusing ones bootplan named for it), defines the domain and starts it booting from the network. */
export async function createGuest(p: GuestProps): Promise<Props> {
  const domainType = await domainTypeOf(p.uri);
  for (const [i, d] of p.disks.entries()) {
    const vol = volumeName(p.name, i);
    if (await virshIfExists(p.uri, ["vol-info", "--pool", d.pool, vol])) continue;
    await virsh(p.uri, ["vol-create-as", d.pool, vol, `${d.sizeGiB}G`, "--format", "qcow2"]);
  }
  await define(p, domainType);
  if ((await domainState(p.uri, p.name)) !== "running") await virsh(p.uri, ["start", p.name]);
  return { ...p, observed: await observe(p, domainType) };
}

/** Redefines the domain with the new memory and vCPUs; libvirt applies them when the guest next boots. */
export async function updateGuest(olds: GuestProps, news: GuestProps): Promise<Props> {
  const domainType = olds.observed?.domainType ?? (await domainTypeOf(news.uri));
  await define(news, domainType);
  return { ...news, observed: await observe(news, domainType) };
}

/**
 * What libvirt really has: the configured memory, vCPUs and MAC over the recorded ones, and its state.
 * A domain that no longer exists reads as `exists: false` with an empty id (Pulumi's "gone").
 */
export async function readGuest(id: string, props: GuestProps): Promise<{ id: string; props: Props }> {
  const state = await domainState(props.uri, props.name);
  if (state === undefined) return { id: "", props: { ...props, exists: false, observed: { ...props.observed, state: "missing" } } };
  const facts = parseDomainXml(await virsh(props.uri, ["dumpxml", "--inactive", props.name]));
  return {
    id,
    props: { ...props, memoryMiB: facts.memoryMiB, vcpus: facts.vcpus, mac: facts.macs[0] ?? null, observed: { ...props.observed, state, uuid: facts.uuid } },
  };
}

/** Stops and undefines the domain and deletes its volumes; what is already gone is skipped. */
export async function deleteGuest(p: GuestProps): Promise<void> {
  const state = await domainState(p.uri, p.name);
  if (state !== undefined) {
    if (state !== "shut off") await virshIfExists(p.uri, ["destroy", p.name]);
    await virsh(p.uri, ["undefine", p.name, ...(p.firmware === "uefi" ? ["--nvram"] : [])]);
  }
  for (const [i, d] of p.disks.entries()) await virshIfExists(p.uri, ["vol-delete", "--pool", d.pool, volumeName(p.name, i)]);
}
