/**
 * Install-done tokens of `netboot: once` systems. Each is an HMAC of the stack and system names under
 * the state key, so only whoever holds the key (apply, serve) can make or check one; it travels like a
 * secret (a marker in plans and state, the value only in the written answer file).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { stateKey } from "./secrets.js";

const PREFIX = "install-token.";

/** The secret name a system's install token is carried under. */
export function installTokenName(system: string): string {
  return `${PREFIX}${system}`;
}

/** True for the name of an install token (derived, never declared under secrets:). */
export function isInstallTokenName(name: string): boolean {
  return name.startsWith(PREFIX);
}

/** The token of one system under `key`. */
export function installToken(key: string, stack: string, system: string): string {
  return createHmac("sha256", key).update(`bootplan-install-done\0${stack}\0${system}`).digest("base64url");
}

/** Whether `token` is the system's token; constant-time. */
export function checkInstallToken(key: string, stack: string, system: string, token: string): boolean {
  const want = Buffer.from(installToken(key, stack, system));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Token values for the install-token names among `names`, keyed like secrets. */
export function installTokenValues(names: Iterable<string>, stack: string, statePath: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  let key: string | undefined;
  for (const n of names) {
    if (!isInstallTokenName(n)) continue;
    key ??= stateKey(statePath, env);
    out[n] = installToken(key, stack, n.slice(PREFIX.length));
  }
  return out;
}
