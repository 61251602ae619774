/**
 * Host-key pinning: keys as `hostKey:` lines or known_hosts entries, their SHA256 fingerprints as
 * OpenSSH prints them, and the check a connection makes before it authenticates. Pure functions.
 */
import { createHash, createHmac } from "node:crypto";
import type { PinnedKey } from "../model/ssh.js";

export type { PinnedKey };

/** The SSH key types whose lines `parseKeyLine` accepts. */
const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;

/** The key type named inside a wire-format key blob (its first SSH string). */
export function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString("latin1") : undefined;
}

/** Parses `TYPE BASE64 [comment]`; a string saying what is wrong when it is not a well-formed key. */
export function parseKeyLine(line: string, from: string): PinnedKey | string {
  const [type, blob] = line.trim().split(/\s+/);
  if (!type || !blob) return `expected "TYPE BASE64" such as "ssh-ed25519 AAAAC3Nza...", found ${JSON.stringify(line.slice(0, 40))}`;
  if (!KEY_TYPE.test(type)) return `unknown host key type ${JSON.stringify(type)}`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return "the key is not base64";
  const inner = blobType(Buffer.from(blob, "base64"));
  if (inner !== type) return `the key's base64 holds a ${inner ?? "malformed"} key, not ${type}`;
  return { type, blob, from };
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` and unpadded base64 of its sha256. */
export function fingerprint(blob: Buffer | string): string {
  const bytes = typeof blob === "string" ? Buffer.from(blob, "base64") : blob;
  return "SHA256:" + createHash("sha256").update(bytes).digest("base64").replace(/=+$/, "");
}

/** How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostPatternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = pattern.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  return re.test(name);
}

/** The keys a known_hosts text pins for host:port (hashed and wildcard entries included, negations and revoked honoured). */
export function keysFromKnownHosts(text: string, host: string, port: number, file: string): PinnedKey[] {
  const name = knownHostsName(host, port);
  const out: PinnedKey[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    let fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0].startsWith("@")) [marker, ...fields] = fields;
    if (marker === "@cert-authority" || fields.length < 3) return;
    const patterns = fields[0].split(",");
    if (patterns.some((p) => p.startsWith("!") && hostPatternMatches(p.slice(1), name))) return;
    if (!patterns.some((p) => !p.startsWith("!") && hostPatternMatches(p, name))) return;
    const key = parseKeyLine(`${fields[1]} ${fields[2]}`, `${file}:${i + 1}`);
    if (typeof key === "string") return;
    if (marker === "@revoked") out.push({ ...key, type: `@revoked ${key.type}` });
    else out.push(key);
  });
  return out;
}

/**
 * Checks an offered key blob against the pins: undefined when it matches one, else a one-line reason
 * naming the target, the expected and the offered SHA256 fingerprints.
 */
export function checkHostKey(target: string, offered: Buffer, pins: PinnedKey[], keyscan = "bootplan ssh-keyscan"): { expected: string[]; offered: string; message: string } | undefined {
  const fp = fingerprint(offered);
  const type = blobType(offered) ?? "unknown";
  const revoked = pins.filter((p) => p.type.startsWith("@revoked ")).map((p) => p.blob);
  const valid = pins.filter((p) => !p.type.startsWith("@revoked "));
  const b64 = offered.toString("base64");
  if (!revoked.includes(b64) && valid.some((p) => p.blob === b64)) return undefined;
  const expected = valid.map((p) => fingerprint(p.blob));
  const what = revoked.includes(b64)
    ? `offered a revoked host key ${fp} (${type})`
    : valid.length
      ? `offered host key ${fp} (${type}), expected ${valid.map((p) => `${fingerprint(p.blob)} (${p.type}, ${p.from})`).join(" or ")}`
      : `offered host key ${fp} (${type}), but no host key is pinned for it (hostKey: or knownHosts:)`;
  const next = valid.length ? `if the machine was really reinstalled, pin its new key: ${keyscan}` : `to pin it, check the fingerprint out of band and run: ${keyscan}`;
  return { expected, offered: fp, message: `${target}: ${what}; refusing to connect (${next})` };
}

/** The key types a client should ask for, so a server with several keys offers the pinned kind. */
export function pinnedAlgorithms(pins: PinnedKey[]): string[] {
  const types = new Set<string>();
  for (const p of pins) {
    if (p.type.startsWith("@revoked ")) continue;
    if (p.type === "ssh-rsa") ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"].forEach((t) => types.add(t));
    else types.add(p.type);
  }
  return [...types];
}
