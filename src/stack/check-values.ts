/**
 * Values the schema accepts but that are clearly wrong: an all-zero MAC, a host address that is the
 * network's or its broadcast, a gateway outside its subnet, two systems with one hostname, a negative
 * memory size, a provisioning root that is the stack itself, a state file inside the served tree.
 * Each check reports a positioned StackError; none throws.
 */
import { isAbsolute, relative } from "node:path";
import { StackError } from "../errors.js";
import { KNOWN_ATTRIBUTES } from "../compat/attributes.js";
import { isIpv4, parseCidr } from "../util/net.js";
import type { RawEntry, RawStack } from "./raw.js";
import { formatDocPath, locate, type DocPath } from "./yaml.js";

/** A dotted quad (already checked by isIpv4) as an unsigned 32-bit number. */
function ipToInt(ip: string): number {
  let n = 0, part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return n * 256 + part;
}

function err(e: RawEntry, sub: DocPath, code: string, detail: string, at: "key" | "value" = "value"): StackError {
  return new StackError(code, locate(e.file, [...e.path, ...sub], at), `${formatDocPath([...e.path, ...sub])}: ${detail}`);
}

/** Why an IPv4 host address with its prefix cannot be a machine's address; undefined when fine. */
export function hostAddressProblem(ip: string, prefix: number): string | undefined {
  const n = ipToInt(ip);
  const first = n >>> 24;
  if (prefix === 0) return "a /0 prefix is the whole Internet, not a subnet";
  if (n === 0) return "0.0.0.0 is the unspecified address, not a host's";
  if (first === 127) return `${ip} is a loopback address`;
  if (first >= 224) return `${ip} is a multicast or reserved address`;
  if (prefix <= 30) {
    const size = 2 ** (32 - prefix);
    const offset = n % size;
    if (offset === 0) return `${ip} is the network address of ${ip}/${prefix}; use a host address`;
    if (offset === size - 1) return `${ip} is the broadcast address of ${ip}/${prefix}; use a host address`;
  }
  return undefined;
}

/** Interface, hostname and attribute values of every system. */
export function checkSystemValues(raw: RawStack, errors: StackError[]): void {
  const hostnames = new Map<string, RawEntry>();
  for (const e of raw.kinds.systems.values()) {
    const v = e.value as { hostname?: unknown; interfaces?: Record<string, unknown>[]; attributes?: Record<string, unknown> };
    const hostname = typeof v.hostname === "string" ? v.hostname : e.name.toLowerCase();
    const prev = hostnames.get(hostname);
    if (prev) {
      const there = locate(prev.file, prev.path, "key");
      errors.push(err(e, v.hostname === undefined ? [] : ["hostname"], "stack.duplicate-hostname", `hostname ${hostname} is already used by system ${prev.name} (${there.file}:${there.line})`, v.hostname === undefined ? "key" : "value"));
    } else hostnames.set(hostname, e);

    (Array.isArray(v.interfaces) ? v.interfaces : []).forEach((nic, i) => {
      if (String(nic.mac).replace(/[:-]/g, "") === "000000000000") errors.push(err(e, ["interfaces", i, "mac"], "stack.invalid-mac", "00:00:00:00:00:00 is not a real network card's address"));
      const cidr = nic.ip === undefined ? undefined : parseCidr(String(nic.ip));
      if (!cidr) return;
      const why = hostAddressProblem(cidr.ip, cidr.prefix);
      if (why) errors.push(err(e, ["interfaces", i, "ip"], "stack.invalid-ip", why));
      const gw = nic.gateway === undefined ? undefined : String(nic.gateway);
      if (gw === undefined || !isIpv4(gw) || why) return;
      if (gw === cidr.ip) {
        errors.push(err(e, ["interfaces", i, "gateway"], "stack.invalid-gateway", `the gateway ${gw} is the interface's own address`));
        return;
      }
      const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0;
      if (((ipToInt(gw) & mask) >>> 0) !== ((ipToInt(cidr.ip) & mask) >>> 0)) {
        errors.push(err(e, ["interfaces", i, "gateway"], "stack.invalid-gateway", `the gateway ${gw} is outside the interface's subnet ${cidr.ip}/${cidr.prefix}`));
      }
    });

    for (const [k, a] of Object.entries(v.attributes ?? {})) {
      if (KNOWN_ATTRIBUTES[k] === "numeric" && typeof a === "number" && !(a > 0)) {
        errors.push(err(e, ["attributes", k], "stack.invalid-value", `expected a number above 0, found ${a}`));
      }
    }
  }
}

const inside = (outer: string, inner: string): boolean => {
  const r = relative(outer, inner);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
};

/**
 * Where apply writes must not overlap what bootplan reads: the provisioning root may not be the stack
 * directory or hold stack files, and the state file may not lie in the provisioning root (it would be
 * served over HTTP and TFTP, with its key beside it).
 */
export function checkLocations(raw: RawStack, provisioningRoot: string, statePath: string, errors: StackError[]): void {
  const rootAt = (key: DocPath) => locate(raw.root, key);
  const rootKey: DocPath = raw.settings.provisioningRoot === undefined ? [] : ["provisioningRoot"];
  if (inside(provisioningRoot, raw.dir)) {
    errors.push(new StackError("stack.invalid-root", rootAt(rootKey), `provisioningRoot: ${JSON.stringify(raw.settings.provisioningRoot)} is the stack directory (or holds it); use a folder of its own such as .bootplan/root`));
    return; // everything lies inside such a root: one error says it
  } else {
    const stackFile = raw.files.find((f) => inside(provisioningRoot, `${raw.dir}/${f.rel}`));
    if (stackFile) errors.push(new StackError("stack.invalid-root", rootAt(rootKey), `provisioningRoot: ${JSON.stringify(raw.settings.provisioningRoot)} holds the stack file ${stackFile.rel}; apply would write among the stack's files`));
  }
  if (inside(provisioningRoot, statePath)) {
    const key: DocPath = (raw.settings.state as { path?: unknown } | undefined)?.path === undefined ? rootKey : ["state", "path"];
    errors.push(new StackError("stack.invalid-state-path", rootAt(key), `state.path: the state file ${relative(raw.dir, statePath)} lies inside the provisioning root, which is served to the network; keep it outside (default .bootplan/state.json)`));
  }
}
