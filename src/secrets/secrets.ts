/** Secrets: read from the environment or files, carried through rendering as markers, never recorded in clear. */
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { formatPosition, SecretError, type SourcePosition } from "../errors.js";
import type { SecretSource, Stack } from "../model/stack.js";

/** The text rendered where a secret's value belongs; only a provider writing a file replaces it. */
export function secretMarker(name: string): string {
  return `((secret:${name}))`;
}

const MARKER = /\(\(secret:([A-Za-z0-9_][A-Za-z0-9_.-]*)\)\)/g;

/** What every output shows in place of a secret. */
export const MASK = "(sensitive)";

/** Replaces secret markers with the mask, for plans, reports and logs. */
export function maskSecrets(text: string): string {
  return text.includes("((secret:") ? text.replace(MARKER, MASK) : text;
}

/** Names of the secrets whose markers appear in `text`. */
export function secretsIn(text: string): string[] {
  return text.includes("((secret:") ? [...new Set([...text.matchAll(MARKER)].map((m) => m[1]))] : [];
}

/** Replaces secret markers with their values; a marker without a value is an error, never left in a file. */
export function revealSecrets(text: string, values: Record<string, string>): string {
  if (!text.includes("((secret:")) return text;
  return text.replace(MARKER, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new SecretError(`secret ${name} is needed to write this file but was not provided`);
    return v;
  });
}

/** Where a secret's value is read from, and (when known) where the stack declares it. */
export type DeclaredSecret = SecretSource & { source?: SourcePosition };

/** Reads the named secrets' values from their sources; errors name the secret, its source and where it is declared. */
export function readSecrets(stack: Pick<Stack, "secrets">, names: Iterable<string>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return readSecretValues(stack.secrets, names, env);
}

/** Reads secret values from declared sources (as recorded in a stack or a saved plan). */
export function readSecretValues(sources: Record<string, DeclaredSecret>, names: Iterable<string>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const src = sources[name];
    if (!src) throw new SecretError(`secret ${name} is not declared under secrets:`);
    // Worked out only for a message: a position costs a parse of its stack file with positions.
    const at = (): string => (src.source ? formatPosition(src.source) : "the saved plan");
    if ("env" in src) {
      const v = env[src.env];
      if (v === undefined || v === "") throw new SecretError(`secret ${name}: environment variable ${src.env} is not set (declared at ${at()})`);
      out[name] = v;
    } else {
      if (!existsSync(src.file)) throw new SecretError(`secret ${name}: file ${src.file} does not exist (declared at ${at()})`);
      const text = readFileSync(src.file, "utf8");
      // A key file keeps its last newline: OpenSSH keys are not valid without it.
      const v = src.multiline ? text : text.replace(/\r?\n$/, "");
      if (!v) throw new SecretError(`secret ${name}: file ${src.file} is empty (declared at ${at()})`);
      out[name] = v;
    }
    if (/\0/.test(out[name]) || (!src.multiline && /[\r\n]/.test(out[name]))) throw new SecretError(`secret ${name}: value spans several lines or holds NUL; a secret must be one line (declared at ${at()})`);
  }
  return out;
}

/** Computes the keyed digests recorded instead of secret values, so a changed secret shows as a change. */
export type SecretDigester = (name: string, value: string) => string;

/** The key file beside a state that keys its secret digests (unless BOOTPLAN_STATE_KEY is set). */
export function stateKeyPath(statePath: string): string {
  return `${statePath}.key`;
}

/** True when no key for the state's secret digests exists yet (none in the environment, no key file). */
export function stateKeyMissing(statePath: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.BOOTPLAN_STATE_KEY && !existsSync(stateKeyPath(statePath));
}

/** The state key: BOOTPLAN_STATE_KEY, or the key file beside the state (created, mode 0600, on first use). */
export function stateKey(statePath: string, env?: NodeJS.ProcessEnv): string;
/** The state key, or undefined when none exists yet and `create` is false (a plan only looks). */
export function stateKey(statePath: string, env: NodeJS.ProcessEnv | undefined, opts: { create?: boolean }): string | undefined;
export function stateKey(statePath: string, env: NodeJS.ProcessEnv = process.env, opts: { create?: boolean } = {}): string | undefined {
  if (env.BOOTPLAN_STATE_KEY) return env.BOOTPLAN_STATE_KEY;
  const keyFile = stateKeyPath(statePath);
  if (!existsSync(keyFile)) {
    if (opts.create === false) return undefined;
    mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  }
  return readFileSync(keyFile, "utf8").trim();
}

/** A digester keyed by the state key (see stateKey). */
export function stateDigester(statePath: string, env: NodeJS.ProcessEnv = process.env, opts: { create?: boolean } = {}): SecretDigester {
  // A plan only looks: with no key yet it digests under a throwaway one, and apply creates the real one.
  return digesterWithKey(stateKey(statePath, env, opts) ?? randomBytes(32));
}

/** A digester keyed by `key` (a database backend keeps the key beside the state, as the file backend does). */
export function digesterWithKey(key: Buffer | string): SecretDigester {
  return (name, value) => "hmac-sha256:" + createHmac("sha256", key).update(`${name}\0${value}`).digest("hex");
}
