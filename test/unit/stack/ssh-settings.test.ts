/** `ssh:` on systems and `reinstallOn`/`reinstallMethod` on profiles: resolved settings and positioned errors. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStack } from "../../../src/stack/load.js";
import { stackErrors, tempStacks } from "../../helpers/stack.js";

const lab = tempStacks();
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

function withSsh(ssh: string, extra: Record<string, string> = {}): string {
  return lab({
    "ssh.yaml": `secrets:\n  key: {file: secrets/key}\nsystems:\n  run01:\n    profile: remote\n    interfaces: [{mac: "52:54:00:aa:00:01"}]\n    ssh: ${ssh}\nprofiles:\n  remote:\n    inherits: web\n    reinstallOn: [kernelArgs, files]\n    reinstallMethod: kexec\n`,
    "secrets/key": "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
    ...extra,
  });
}

describe("ssh settings", () => {
  it("resolves defaults, the pinned key, and reinstall settings inherited along the profile chain", () => {
    const s = loadStack(withSsh(`{host: 10.0.2.30, identity: {secret: key}, hostKey: "${KEY} root@run01"}`));
    expect(s.systems.run01.ssh).toEqual({
      host: "10.0.2.30", port: 22, user: "root", identity: "key", passphrase: null, password: null, sudo: false, reboot: true,
      helperDir: ".cache/bootplan", hostKeys: [{ type: "ssh-ed25519", blob: KEY.split(" ")[1], from: "hostKey" }],
    });
    expect(s.profiles.remote).toMatchObject({ reinstallOn: ["kernelArgs", "files"], reinstallMethod: "kexec" });
    expect(s.secrets.key.multiline).toBe(true);
  });

  it("reads pins from a known_hosts file and covers it by the stack fingerprint", () => {
    const d = withSsh("{host: 10.0.2.30, port: 2222, identity: {secret: key}, knownHosts: known_hosts}", { known_hosts: `[10.0.2.30]:2222 ${KEY}\n10.0.2.30 ssh-rsa AAAA\n` });
    const s = loadStack(d);
    expect(s.systems.run01.ssh!.hostKeys.map((k) => k.from)).toEqual(["knownHosts known_hosts"]);
    writeFileSync(join(d, "known_hosts"), "");
    expect(loadStack(d).fingerprint).not.toBe(s.fingerprint);
  });

  it("names file, line and column of each bad setting", () => {
    const d = withSsh(`{host: 10.0.2.30, identity: {secret: nope}, hostKey: "ssh-ed25519 AAAA", knownHosts: kh}`);
    const errors = stackErrors(d);
    expect(errors).toContain('ssh.yaml:7:47: systems.run01.ssh.identity.secret: no secret named "nope" under secrets:');
    expect(errors).toContain("ssh.yaml:7:63: systems.run01.ssh.hostKey: the key's base64 holds a malformed key, not ssh-ed25519");
    expect(errors.some((e) => /^ssh\.yaml:7:\d+: systems\.run01\.ssh\.knownHosts: give hostKey or knownHosts, not both$/.test(e))).toBe(true);
    expect(stackErrors(withSsh("{host: 10.0.2.30, hostKey: x}")).some((e) => e.includes("systems.run01.ssh: no way to log in"))).toBe(true);
    expect(stackErrors(withSsh("{host: 10.0.2.30, port: 70000, identity: {secret: key}}"))[0]).toMatch(/^ssh\.yaml:7:\d+: systems\.run01\.ssh\.port/);
  });
});
