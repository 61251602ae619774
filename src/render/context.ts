/**
 * The variables every answer template (built-in or a stack's own) is rendered with.
 *
 *   system            {name, hostname, shortname, domain, interfaces}
 *     hostname        FQDN as in the stack (web01.lab.example); shortname/domain split at the first dot
 *     domain          null when the hostname has no dot
 *     interfaces[]    {name, mac, ip, prefix, netmask, gateway, dns}
 *                     name/ip/prefix/netmask/gateway are null when not set (DHCP); dns is a list
 *   profile           {name, packages, kernelArgs, timezone, locale}
 *   distro            {name, family, release, arch, installTree, mirror}
 *     installTree     URL or null
 *     mirror          installTree split for installers that want it in parts:
 *                     {protocol: "http"|"https"|"ftp", host (with :port), directory (no trailing /)}, or null
 *   repos[]           {name, url, suite, components, gpgKey}; suite and gpgKey null when not set
 *   packages          the packages to install (after compatibility checks), a list
 *   rootPasswordHash  the text that stands for the root password hash (a secret marker until apply),
 *                     or null when the profile sets no rootPassword
 *   serverUrl         base URL the targets fetch answer files from, no trailing slash
 *   installDone       `netboot: once`: the URL the installed system calls when done (holds its token), else null
 *
 * Every key is always present (absent values are null), so strict variables catch only real typos.
 * Filters besides liquid's standard ones:
 *   one_line    text; fails on newlines and control characters (line-based formats)
 *   ks          one kickstart word, shell-quoted when needed
 *   yaml_value  JSON-style YAML of any value (quoted strings, flow lists and maps)
 */
import { prefixToNetmask } from "../util/net.js";
import { RenderError } from "./errors.js";
import { splitHostname } from "./kernel-args.js";
import type { SystemRenderInput } from "./types.js";

/** One interface as templates see it. */
export interface InterfaceVars {
  name: string | null;
  mac: string;
  ip: string | null;
  prefix: number | null;
  netmask: string | null;
  gateway: string | null;
  dns: string[];
}

/** The install tree URL in parts, for installers (d-i) that ask for host and directory apart. */
export interface MirrorVars {
  protocol: string;
  host: string;
  directory: string;
}

/** Everything a template can reference; see the comment at the top of this file. */
export interface TemplateVars {
  system: { name: string; hostname: string; shortname: string; domain: string | null; interfaces: InterfaceVars[] };
  profile: { name: string; packages: string[]; kernelArgs: string[]; timezone: string; locale: string };
  distro: { name: string; family: string; release: string; arch: string; installTree: string | null; mirror: MirrorVars | null };
  repos: { name: string; url: string; suite: string | null; components: string[]; gpgKey: string | null }[];
  packages: string[];
  rootPasswordHash: string | null;
  serverUrl: string;
  installDone: string | null;
}

/** The install tree in parts; null when absent or not http/https/ftp (d-i has no other mirror protocol). */
export function mirrorOf(installTree: string | undefined): MirrorVars | null {
  if (!installTree) return null;
  let u: URL;
  try {
    u = new URL(installTree);
  } catch {
    return null;
  }
  const protocol = u.protocol.slice(0, -1);
  if (!["http", "https", "ftp"].includes(protocol)) return null;
  return { protocol, host: u.host, directory: u.pathname.replace(/\/+$/, "") || "/" };
}

/** The root password text from input.secretText; throws when the profile names a secret that has none. */
function rootPasswordText(input: SystemRenderInput): string | null {
  const ref = input.profile.rootPassword;
  if (!ref) return null;
  const text = input.secretText[ref.secret];
  if (text === undefined || !Object.prototype.hasOwnProperty.call(input.secretText, ref.secret)) {
    throw new RenderError("render.missing-secret", `no secret text for ${JSON.stringify(ref.secret)} (the profile's rootPassword)`);
  }
  return text;
}

/** Builds the template variables of one system; fresh plain objects, keys in a fixed order. */
export function templateVars(input: SystemRenderInput): TemplateVars {
  const { system, profile, distro } = input;
  const { shortname, domain } = splitHostname(system.hostname);
  return {
    system: {
      name: system.name,
      hostname: system.hostname,
      shortname,
      domain,
      interfaces: system.interfaces.map((i) => ({
        name: i.name ?? null,
        mac: i.mac,
        ip: i.ip ?? null,
        prefix: i.prefix ?? null,
        netmask: i.prefix === undefined ? null : prefixToNetmask(i.prefix),
        gateway: i.gateway ?? null,
        dns: [...i.dns],
      })),
    },
    profile: {
      name: profile.name,
      packages: [...profile.packages],
      kernelArgs: [...profile.kernelArgs],
      timezone: profile.timezone,
      locale: profile.locale,
    },
    distro: {
      name: distro.name,
      family: distro.os.family,
      release: distro.os.release,
      arch: distro.arch,
      installTree: distro.installTree ?? null,
      mirror: mirrorOf(distro.installTree),
    },
    repos: input.repos.map((r) => ({ name: r.name, url: r.url, suite: r.suite ?? null, components: [...r.components], gpgKey: r.gpgKey ?? null })),
    packages: [...input.packages],
    rootPasswordHash: rootPasswordText(input),
    serverUrl: input.serverUrl,
    installDone: input.installDoneUrl ?? null,
  };
}
