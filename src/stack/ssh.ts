/**
 * Resolves `ssh:` on systems: defaults, secret references, and the pinned host keys read from
 * `hostKey:` or a `knownHosts:` file (whose hash joins the stack fingerprint, so a saved plan goes
 * stale when a pin changes). Secrets used as SSH keys may span lines (a PEM or OpenSSH key does).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { StackError } from "../errors.js";
import type { Stack, System } from "../model/stack.js";
import type { PinnedKey, SshSettings } from "../model/ssh.js";
import { keysFromKnownHosts, parseKeyLine } from "../remote/host-keys.js";
import { sha256Hex } from "../util/hash.js";
import type { RawStack } from "./raw.js";
import { formatDocPath, locate, type DocPath } from "./yaml.js";

interface RawSsh {
  host: string;
  port?: number;
  user?: string;
  identity?: { secret: string };
  passphrase?: { secret: string };
  password?: { secret: string };
  hostKey?: string | string[];
  knownHosts?: string;
  sudo?: boolean;
  reboot?: boolean;
  helperDir?: string;
}

/** Fills in `ssh` on each resolved system that declares it; returns the problems found. */
export function resolveSsh(raw: RawStack, systems: Record<string, System>, secrets: Stack["secrets"], fp: string[]): StackError[] {
  const errors: StackError[] = [];
  for (const e of raw.kinds.systems.values()) {
    const v = e.value.ssh as RawSsh | undefined;
    const sys = systems[e.name];
    if (!v || !sys) continue;
    const err = (sub: DocPath, code: string, detail: string, at: "key" | "value" = "value"): void =>
      void errors.push(new StackError(code, locate(e.file, [...e.path, "ssh", ...sub], at), `${formatDocPath([...e.path, "ssh", ...sub])}: ${detail}`));
    const secret = (key: "identity" | "passphrase" | "password"): string | null => {
      const name = v[key]?.secret;
      if (!name) return null;
      if (!secrets[name]) err([key, "secret"], "stack.dangling-ref", `no secret named ${JSON.stringify(name)} under secrets:`);
      else if (key === "identity") secrets[name].multiline = true;
      return name;
    };
    const port = v.port ?? 22;
    const hostKeys: PinnedKey[] = [];
    if (v.hostKey !== undefined && v.knownHosts !== undefined) err(["knownHosts"], "stack.ssh-pin", "give hostKey or knownHosts, not both", "key");
    const lines = v.hostKey === undefined ? [] : Array.isArray(v.hostKey) ? v.hostKey : [v.hostKey];
    lines.forEach((line, i) => {
      const sub = Array.isArray(v.hostKey) ? ["hostKey", i] : ["hostKey"];
      // No line numbers: `from` is recorded with the system, and moving a line is not a change.
      const k = parseKeyLine(line, "hostKey");
      if (typeof k === "string") err(sub, "stack.ssh-host-key", k);
      else hostKeys.push(k);
    });
    if (v.knownHosts !== undefined) {
      const abs = resolvePath(raw.dir, v.knownHosts);
      if (!existsSync(abs) || !statSync(abs).isFile()) err(["knownHosts"], "stack.missing-file", `no such known_hosts file ${JSON.stringify(v.knownHosts)}`);
      else {
        const text = readFileSync(abs, "utf8");
        fp.push(`knownhosts:${v.knownHosts}:${sha256Hex(text)}`);
        hostKeys.push(...keysFromKnownHosts(text, v.host, port, v.knownHosts).map((k) => ({ ...k, from: `knownHosts ${v.knownHosts}` })));
      }
    }
    if (!v.identity && !v.password) err([], "stack.ssh-auth", "no way to log in: set identity: {secret: NAME} (a private key) or password: {secret: NAME}", "key");
    const settings: SshSettings = {
      host: v.host, port, user: v.user ?? "root",
      identity: secret("identity"), passphrase: secret("passphrase"), password: secret("password"),
      sudo: v.sudo ?? false, reboot: v.reboot ?? true, helperDir: v.helperDir ?? ".cache/bootplan", hostKeys,
    };
    sys.ssh = settings;
  }
  return errors;
}
