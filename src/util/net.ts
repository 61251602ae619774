/** MAC and IPv4 parsing, strict enough to catch typos before they reach a boot loader. */

/** Normalises a MAC (colon or dash separated) to lowercase colons; undefined when invalid. */
export function parseMac(text: string): string | undefined {
  const m = /^([0-9a-fA-F]{2})([:-])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/.exec(text);
  if (!m) return undefined;
  return [m[1], m[3], m[4], m[5], m[6], m[7]].join(":").toLowerCase();
}

/** True for a group (multicast/broadcast) MAC, which no interface can boot from. */
export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** True for a dotted-quad IPv4 address without leading zeros. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

// One pattern, not a split and a test per part: a 100,000-system stack checks 300,000 addresses per load.
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** Parses `a.b.c.d/nn`; undefined when invalid. */
export function parseCidr(text: string): { ip: string; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1]) || Number(m[2]) > 32) return undefined;
  return { ip: m[1], prefix: Number(m[2]) };
}

/** The dotted netmask of a prefix length, e.g. 24 -> 255.255.255.0. */
export function prefixToNetmask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join(".");
}

/** The PXE file-name form of a MAC: `01-` (Ethernet ARP type) and dashes. */
export function pxeMacName(mac: string): string {
  return `01-${mac.replace(/:/g, "-")}`;
}
