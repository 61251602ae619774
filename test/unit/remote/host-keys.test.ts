/** Host-key pinning: key lines, known_hosts entries (plain, [host]:port, hashed, revoked) and fingerprints as OpenSSH prints them. */
import { createHmac, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkHostKey, fingerprint, keysFromKnownHosts, parseKeyLine, pinnedAlgorithms } from "../../../src/remote/host-keys.js";
import { requireTool } from "../render/tools.js";

const A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHKcSCT1Y0zCQZqbbLhaiGBSbMBNf2TTF0DoqmhsGeAm";
const blob = (line: string) => Buffer.from(line.split(" ")[1], "base64");

describe("host keys", () => {
  requireTool("ssh-keygen", "apt-get install openssh-client")("fingerprints a key exactly as ssh-keygen -l does", () => {
    const dir = mkdtempSync(join(tmpdir(), "bootplan-hk-"));
    try {
      spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
      const pub = readFileSync(join(dir, "k.pub"), "utf8");
      const want = spawnSync("ssh-keygen", ["-lf", join(dir, "k.pub")], { encoding: "utf8" }).stdout.split(" ")[1];
      expect(fingerprint(pub.split(" ")[1])).toBe(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses TYPE BASE64 lines and says what is wrong with bad ones", () => {
    expect(parseKeyLine(`${A} root@web01`, "hostKey")).toMatchObject({ type: "ssh-ed25519", from: "hostKey" });
    expect(parseKeyLine("AAAAC3Nza", "x")).toMatch(/expected "TYPE BASE64"/);
    expect(parseKeyLine("ssh-foo AAAA", "x")).toMatch(/unknown host key type "ssh-foo"/);
    expect(parseKeyLine(`ssh-rsa ${A.split(" ")[1]}`, "x")).toBe("the key's base64 holds a ssh-ed25519 key, not ssh-rsa");
    expect(parseKeyLine("ssh-ed25519 not*base64", "x")).toBe("the key is not base64");
  });

  it("finds the keys known_hosts pins for host:port, hashed entries included, and honours revocations", () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[10.0.2.15]:2222").digest("base64")}`;
    const text = [
      "# comment", `10.0.2.15 ${A}`, `[10.0.2.15]:2222 ${B}`, `${hashed} ${A}`, `other.example ${B}`,
      `*.lab.example,!db01.lab.example ${B}`, "@cert-authority *.lab.example " + A,
    ].join("\n");
    expect(keysFromKnownHosts(text, "10.0.2.15", 22, "kh").map((k) => k.blob)).toEqual([A.split(" ")[1]]);
    expect(keysFromKnownHosts(text, "10.0.2.15", 2222, "kh").map((k) => k.blob)).toEqual([B.split(" ")[1], A.split(" ")[1]]);
    expect(keysFromKnownHosts(text, "web01.lab.example", 22, "kh")).toHaveLength(1);
    expect(keysFromKnownHosts(text, "db01.lab.example", 22, "kh")).toEqual([]);
    const revoked = keysFromKnownHosts(`10.0.2.15 ${A}\n@revoked * ${A}`, "10.0.2.15", 22, "kh");
    expect(checkHostKey("system.web01", blob(A), revoked)?.message).toContain("offered a revoked host key");
  });

  it("accepts the pinned key and refuses another with both fingerprints, or an unpinned one saying so", () => {
    const pins = [parseKeyLine(A, "hostKey") as Exclude<ReturnType<typeof parseKeyLine>, string>];
    expect(checkHostKey("system.web01", blob(A), pins)).toBeUndefined();
    const bad = checkHostKey("system.web01", blob(B), pins, "bootplan ssh-keyscan system.web01")!;
    expect(bad.message).toBe(`system.web01: offered host key ${fingerprint(blob(B))} (ssh-ed25519), expected ${fingerprint(blob(A))} (ssh-ed25519, hostKey); refusing to connect (if the machine was really reinstalled, pin its new key: bootplan ssh-keyscan system.web01)`);
    expect(bad).toMatchObject({ expected: [fingerprint(blob(A))], offered: fingerprint(blob(B)) });
    expect(checkHostKey("system.web01", blob(B), [])!.message).toContain("no host key is pinned for it");
    expect(pinnedAlgorithms([{ type: "ssh-rsa", blob: "", from: "" }, ...pins])).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
  });
});
