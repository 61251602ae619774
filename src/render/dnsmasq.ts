/**
 * The dnsmasq configuration `bootplan serve` runs (or an existing dnsmasq includes): TFTP for the
 * root's tftp/, and DHCP answers for the stack's systems — their addresses (static mode) or only
 * their boot information (proxy mode) — with a first-stage loader per client architecture and the
 * iPXE loop broken by option 175. Pure: the same stack gives the same bytes.
 */
import type { ServeSettings } from "../model/stack.js";
import { prefixToNetmask } from "../util/net.js";
import { oneLine } from "./escape.js";
import { safeMac, safeName } from "./paths.js";

/** One interface of one system, as dnsmasq needs it. */
export interface DhcpClient {
  system: string;
  hostname: string;
  mac: string;
  ip?: string;
  prefix?: number;
  gateway?: string;
  dns: string[];
}

/** What the dnsmasq file is rendered from. */
export interface DnsmasqInput {
  stack: string;
  serverUrl: string;
  settings: ServeSettings;
  clients: DhcpClient[];
}

/** Each firmware's first-stage loader, as a path relative to the TFTP root. */
export const FIRST_STAGE = {
  bios: { ipxe: "undionly.kpxe", pxelinux: "pxelinux.0" },
  uefi: { ipxe: "ipxe.efi", grub: "grub/grubnetx64.efi" },
  arm64: "grub/grubnetaa64.efi",
} as const;

/** The loaders a configuration hands out (relative to the TFTP root), so serve can check they are there. */
export function loadersHandedOut(settings: ServeSettings): string[] {
  return [FIRST_STAGE.bios[settings.loaders.bios], FIRST_STAGE.uefi[settings.loaders.uefi]];
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** The networks (address/netmask) the static clients are on, in first-seen order. */
function networks(clients: DhcpClient[]): { net: string; mask: string }[] {
  const seen = new Map<string, { net: string; mask: string }>();
  for (const c of clients) {
    if (!c.ip || c.prefix === undefined) continue;
    const mask = prefixToNetmask(c.prefix);
    const net = intToIp(ipToInt(c.ip) & ipToInt(mask));
    seen.set(`${net}/${mask}`, { net, mask });
  }
  return [...seen.values()];
}

// dnsmasq tags are names; the system name is already a safe path segment, tags need only [A-Za-z0-9_-].
const tagOf = (system: string): string => `bp-${system.replace(/[^A-Za-z0-9_-]/g, "_")}`;

/** Renders the dnsmasq configuration of a stack. */
export function renderDnsmasqConfig(input: DnsmasqInput): string {
  const { settings } = input;
  const server = new URL(input.serverUrl);
  const lines = [
    `# bootplan: dnsmasq configuration of stack ${oneLine(input.stack)}; generated, edits are overwritten`,
    `# DHCP mode: ${settings.dhcp}; loaders: BIOS ${settings.loaders.bios}, UEFI ${settings.loaders.uefi}`,
    "port=0", // no DNS: bootplan serves boot, not names
    "bind-dynamic",
    ...(settings.interface ? [`interface=${settings.interface}`] : []),
    "enable-tftp",
    // No tftp-root here: the file names no absolute path (the same stack renders the same bytes anywhere).
    // bootplan serve passes --tftp-root=<root>/tftp; a dnsmasq of your own needs that line beside this file.
    "tftp-no-fail",
  ];
  if (settings.dhcp !== "none") {
    const nets = networks(input.clients);
    if (!nets.length) lines.push("# no system declares a static address: no dhcp-range, dnsmasq answers no DHCP");
    for (const n of nets) lines.push(`dhcp-range=${n.net},${settings.dhcp === "proxy" ? "proxy" : "static"},${n.mask}`);
    lines.push(
      "# Only the stack's own machines get an answer.",
      "dhcp-ignore=tag:!known",
      "# iPXE announces itself with option 175: it gets the chain script instead of iPXE again (the loop break).",
      "dhcp-match=set:ipxe,175",
      "dhcp-match=set:efi64,option:client-arch,7",
      "dhcp-match=set:efi64,option:client-arch,9",
      "dhcp-match=set:arm64,option:client-arch,11",
    );
    const chain = `${input.serverUrl}/boot.ipxe`;
    if (settings.dhcp === "static") {
      // Where iPXE is the loader, a client already running iPXE gets the chain script; elsewhere every
      // client (iPXE in a NIC ROM too: it runs PXE programs) gets the configured loader.
      const bios = "tag:!efi64,tag:!arm64";
      if (settings.loaders.bios === "ipxe") lines.push(`dhcp-boot=tag:ipxe,${bios},${chain}`, `dhcp-boot=tag:!ipxe,${bios},${FIRST_STAGE.bios.ipxe},,${server.hostname}`);
      else lines.push(`dhcp-boot=${bios},${FIRST_STAGE.bios.pxelinux},,${server.hostname}`);
      if (settings.loaders.uefi === "ipxe") lines.push(`dhcp-boot=tag:ipxe,tag:efi64,${chain}`, `dhcp-boot=tag:!ipxe,tag:efi64,${FIRST_STAGE.uefi.ipxe},,${server.hostname}`);
      else lines.push(`dhcp-boot=tag:efi64,${FIRST_STAGE.uefi.grub},,${server.hostname}`);
      lines.push(`dhcp-boot=tag:arm64,${FIRST_STAGE.arm64},,${server.hostname}`);
    } else {
      // Proxy DHCP answers through PXE services; the file names are given without dnsmasq's ".0" suffix rule
      // applying (they carry an extension), and iPXE gets the chain script as its service.
      lines.push(
        `pxe-service=tag:ipxe,x86PC,"bootplan",${chain}`,
        `pxe-service=tag:ipxe,X86-64_EFI,"bootplan",${chain}`,
        `pxe-service=tag:!ipxe,x86PC,"bootplan",${FIRST_STAGE.bios[settings.loaders.bios]},${server.hostname}`,
        `pxe-service=tag:!ipxe,X86-64_EFI,"bootplan",${FIRST_STAGE.uefi[settings.loaders.uefi]},${server.hostname}`,
      );
    }
    for (const c of input.clients) {
      const mac = safeMac(c.mac);
      const tag = tagOf(safeName(c.system, "system name"));
      const host = oneLine(c.hostname).split(".")[0];
      if (settings.dhcp === "proxy" || !c.ip) {
        lines.push(`dhcp-host=${mac},set:${tag}`);
        continue;
      }
      lines.push(`dhcp-host=${mac},set:${tag},${c.ip},${host},infinite`);
      lines.push(`dhcp-option=tag:${tag},option:router${c.gateway ? `,${c.gateway}` : ""}`);
      if (c.dns.length) lines.push(`dhcp-option=tag:${tag},option:dns-server,${c.dns.join(",")}`);
    }
  }
  return lines.join("\n") + "\n";
}
