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
      args.push("interface=auto");
      break;
    }
    case "kickstart":
      args.push(`inst.ks=${serverUrl}/answers/${name}.cfg`);
      if (distro.installTree) args.push(`inst.repo=${distro.installTree}`);
      args.push(...dracutNetworkArgs(input));
      break;
    case "autoinstall":
      // cloud-init appends user-data / meta-data to the seed URL, so it must end with a slash.
      args.push("autoinstall", `ds=nocloud-net;s=${serverUrl}/answers/${name}/`);
      break;
  }
  return [...args, ...profile.kernelArgs, ...system.kernelArgs];
}
