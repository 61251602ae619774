/** How a system's recorded `ssh` settings plus secret values become a connectable target. */
import { RemoteError } from "./errors.js";
import type { SshSettings } from "../model/ssh.js";
import type { SshTarget } from "./pool.js";

/** The secret names a system's ssh settings need at run time. */
export function sshSecretNames(ssh: SshSettings): string[] {
  return [ssh.identity, ssh.passphrase, ssh.password].filter((n): n is string => !!n);
}

/** A connectable target from ssh settings and secret values; a missing value is an error naming the secret. */
export function sshTarget(label: string, ssh: SshSettings, secrets: Record<string, string>): SshTarget {
  const value = (name: string | null): string | undefined => {
    if (!name) return undefined;
    const v = secrets[name];
    if (v === undefined) throw new RemoteError("ssh.secret", `${label}: secret ${name} is needed to connect over SSH but was not provided`);
    return v;
  };
  return {
    label, host: ssh.host, port: ssh.port, user: ssh.user, privateKey: value(ssh.identity),
    passphrase: value(ssh.passphrase), password: value(ssh.password), hostKeys: ssh.hostKeys,
  };
}
