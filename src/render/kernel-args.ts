/** The installer's kernel command line: where to find the answer file, then the stack's own arguments. */
import { prefixToNetmask } from "../util/net.js";
import { safeName } from "./paths.js";
import type { SystemRenderInput } from "./types.js";

/** Splits an FQDN at its first dot: `web01.lab.example` -> web01 + lab.example (domain null without a dot). */
export function splitHostname(hostname: string): { shortname: string; domain: string | null } {
  const dot = hostname.indexOf(".");
  return dot < 0 ? { shortname: hostname, domain: null } : { shortname: hostname.slice(0, dot), domain: hostname.slice(dot + 1) };
}

/** dracut's static `ip=` (and `nameserver=`) for the first interface with an address, else `ip=dhcp`. */
function dracutNetworkArgs(input: SystemRenderInput): string[] {
  const nic = input.system.interfaces.find((i) => i.ip !== undefined && i.prefix !== undefined);
  if (!nic) return ["ip=dhcp"];
  const ip = `ip=${nic.ip}::${nic.gateway ?? ""}:${prefixToNetmask(nic.prefix!)}:${input.system.hostname}::none`;
  // Without a resolver the installer cannot fetch the kickstart or tree when they are named by host.
  return [ip, ...nic.dns.map((d) => `nameserver=${d}`)];
}

/**
 * debian-installer's network settings. d-i configures the network *before* it downloads the preseed
 * (installation guide, appendix B.2.2), so static values in the preseed come too late: they go on the
 * kernel command line, where d-i reads `netcfg/*` as preseeded answers from the start.
 */
function debianNetworkArgs(input: SystemRenderInput): string[] {
  const nic = input.system.interfaces.find((i) => i.ip !== undefined && i.prefix !== undefined);
  if (!nic) return [];
  const args = [
    "netcfg/disable_autoconfig=true",
    `netcfg/get_ipaddress=${nic.ip}`,
    `netcfg/get_netmask=${prefixToNetmask(nic.prefix!)}`,
  ];
  if (nic.gateway) args.push(`netcfg/get_gateway=${nic.gateway}`);
  else args.push("netcfg/no_default_route=true");
  // Without a value d-i asks for the name servers even at priority critical; an empty one answers it.
  // netcfg splits several on spaces, which no boot loader passes unquoted: the first one goes.
  args.push(`netcfg/get_nameservers=${nic.dns[0] ?? ""}`, "netcfg/confirm_static=true");
  return args;
}

/** casper's `ip=`: static for the first interface with an address (kernel nfsroot syntax), else DHCP. */
function casperNetworkArgs(input: SystemRenderInput): string[] {
  const nic = input.system.interfaces.find((i) => i.ip !== undefined && i.prefix !== undefined);
  if (!nic) return ["ip=dhcp"];
  const dns = nic.dns.slice(0, 2);
  return [`ip=${nic.ip}::${nic.gateway ?? ""}:${prefixToNetmask(nic.prefix!)}:${splitHostname(input.system.hostname).shortname}::off${dns.length ? ":" + dns.join(":") : ""}`];
}

/**
 * Installer arguments for the system's answer-file format, then profile.kernelArgs, then
 * system.kernelArgs (so a system can override what its profile sets). Unquoted: each boot-loader
 * renderer applies its own quoting.
 */
export function installerKernelArgs(input: SystemRenderInput): string[] {
  const { system, profile, distro, serverUrl } = input;
  const name = safeName(system.name, "system name");
  const args: string[] = [];
  switch (profile.answerFile.format) {
    case "preseed": {
      const { shortname, domain } = splitHostname(system.hostname);
      args.push("auto=true", "priority=critical", `url=${serverUrl}/answers/${name}.cfg`, `hostname=${shortname}`);
      if (domain) args.push(`domain=${domain}`);
      args.push("interface=auto", ...debianNetworkArgs(input));
      break;
    }
    case "kickstart":
      args.push(`inst.ks=${serverUrl}/answers/${name}.cfg`);
      if (distro.installTree) args.push(`inst.repo=${distro.installTree}`);
      args.push(...dracutNetworkArgs(input));
      break;
    case "autoinstall":
      // cloud-init appends user-data / meta-data to the seed URL, so it must end with a slash.
      // casper (Ubuntu's live initrd) needs a network and, for a network install, the live ISO (`url=`):
      // an install tree ending in .iso is that image.
      args.push(...casperNetworkArgs(input));
      if (distro.installTree?.endsWith(".iso")) args.push(`url=${distro.installTree}`);
      args.push("autoinstall", `ds=nocloud-net;s=${serverUrl}/answers/${name}/`);
      break;
  }
  return [...args, ...profile.kernelArgs, ...system.kernelArgs];
}
