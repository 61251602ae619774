/**
 * What `bootplan serve` needs in the root, as resources the plan shows: `server.<stack>` (the
 * dnsmasq configuration, iPXE's chain script, GRUB's per-MAC dispatch) and one `loader.<file>` per
 * first-stage boot loader, copied from its Debian package with its sha256 recorded. A loader whose
 * package is not installed is planned without a hash (a note says which package to install), so
 * plan and apply work on a machine with only Node; `bootplan serve` refuses to hand it out.
 */
import { existsSync, readFileSync } from "node:fs";
import type { ServeSettings, Stack } from "../model/stack.js";
import { renderChainScript, renderGrubDispatch } from "../render/chain.js";
import { renderDnsmasqConfig, type DhcpClient } from "../render/dnsmasq.js";
import { DEFAULT_SERVE } from "../stack/serve-settings.js";
import { sha256Hex } from "../util/hash.js";
import { addressOf, type DesiredResource } from "./resource.js";

/** A boot loader file from a Debian package, copied to `tftp/<target>`. */
export interface LoaderSpec {
  /** Path below tftp/. */
  target: string;
  package: string;
  source: string;
}

/** Every loader bootplan knows, by its path below tftp/. */
export const LOADERS: Record<string, LoaderSpec> = {
  "undionly.kpxe": { target: "undionly.kpxe", package: "ipxe", source: "/usr/lib/ipxe/undionly.kpxe" },
  "ipxe.efi": { target: "ipxe.efi", package: "ipxe", source: "/usr/lib/ipxe/ipxe.efi" },
  "pxelinux.0": { target: "pxelinux.0", package: "pxelinux", source: "/usr/lib/PXELINUX/pxelinux.0" },
  "ldlinux.c32": { target: "ldlinux.c32", package: "syslinux-common", source: "/usr/lib/syslinux/modules/bios/ldlinux.c32" },
  "grub/grubnetx64.efi": { target: "grub/grubnetx64.efi", package: "grub-efi-amd64-bin", source: "/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi" },
};

/** The loaders a serve configuration needs. */
export function loadersFor(settings: ServeSettings): LoaderSpec[] {
  const names = [
    ...(settings.loaders.bios === "ipxe" ? ["undionly.kpxe"] : ["pxelinux.0", "ldlinux.c32"]),
    settings.loaders.uefi === "ipxe" ? "ipxe.efi" : "grub/grubnetx64.efi",
  ];
  return names.map((n) => LOADERS[n]);
}

/** The DHCP clients of a stack: every interface of every system. */
export function dhcpClients(stack: Stack): DhcpClient[] {
  return Object.values(stack.systems).flatMap((s) =>
    s.interfaces.map((i) => ({ system: s.name, hostname: s.hostname, mac: i.mac, ip: i.ip, prefix: i.prefix, gateway: i.gateway, dns: i.dns })),
  );
}

// Loader files are hashed once per process: a bench or a long serve plans many times.
const hashes = new Map<string, string | null>();
function hashOf(path: string): string | null {
  if (!hashes.has(path)) hashes.set(path, existsSync(path) ? sha256Hex(readFileSync(path)) : null);
  return hashes.get(path)!;
}

/**
 * The file outside the stack a loader's build hashed (its record's `loader`): [path, sha256, or null when
 * it was missing]. A plan memo hashes it again, as a build would: a Debian upgrade of the loader is a change.
 */
export function loaderSourceOf(outputs: Record<string, unknown>): [string, string | null] | undefined {
  const l = outputs.loader as { source?: unknown; sha256?: unknown } | undefined;
  return typeof l?.source === "string" ? [l.source, typeof l.sha256 === "string" ? l.sha256 : null] : undefined;
}

/** The server and loader resources of a stack. */
export function buildServeResources(stack: Stack, root: string): DesiredResource[] {
  const settings = stack.serve ?? DEFAULT_SERVE;
  const files: Record<string, string> = {
    "dnsmasq/dnsmasq.conf": renderDnsmasqConfig({ stack: stack.name, serverUrl: stack.server.url, settings, clients: dhcpClients(stack) }),
    "http/boot.ipxe": renderChainScript(stack.server.url),
  };
  if (settings.loaders.uefi === "grub") files["tftp/grub/grub.cfg"] = renderGrubDispatch();
  const out: DesiredResource[] = [];
  const loaders = loadersFor(settings);
  for (const l of loaders) {
    const sha256 = hashOf(l.source);
    out.push({
      address: addressOf("loader", l.target), kind: "loader", name: l.target, dependsOn: [], secretNames: [],
      inputs: { name: l.target, root, package: l.package, loader: { source: l.source, sha256, target: `tftp/${l.target}` } },
      ...(sha256 ? {} : { notes: [`${l.source} is missing: install the Debian package ${l.package} and apply again (bootplan serve needs it)`] }),
    });
  }
  out.push({
    address: addressOf("server", stack.name), kind: "server", name: stack.name, secretNames: [],
    dependsOn: loaders.map((l) => addressOf("loader", l.target)),
    inputs: { name: stack.name, root, dhcp: settings.dhcp, interface: settings.interface ?? null, loaders: settings.loaders, files },
  });
  return out;
}
