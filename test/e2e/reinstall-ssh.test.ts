/**
 * Reinstalling running machines over SSH, as a user does it: a real OpenSSH server on 127.0.0.1
 * (started here, stopped by PID) stands in for the running machine; its sessions run the helper
 * with BOOTPLAN_HELPER_ROOT set (sshd SetEnv) so staging lands in a sandbox tree, never in /boot.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, machine, totalmem } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/util/hash.js";
import { editStackFile, runCli, tempStacks } from "../helpers/stack.js";
import { describeWithSshd, generateHostKey, sandboxRoot, startSshd, type TestSshd } from "../helpers/sshd.js";
import { startProxy } from "../helpers/tcp-proxy.js";

const lab = tempStacks();
const HELPER = join(__dirname, "../../helper/bootplan-helper");

/** A lab copy where web01 is a running machine reachable over SSH at `port`, pinned to `hostKey`. */
export function sshLab(d: TestSshd, opts: { port?: number; hostKey?: string; helperDir: string }): string {
  const dir = lab({ "secrets/test_ed25519": d.clientKey });
  editStackFile(dir, "stack.yaml", /\n?$/, "\n  lab-ssh-key: {file: secrets/test_ed25519}\n");
  editStackFile(dir, "systems.yaml", "    hostname: web01.lab.example\n",
    `    hostname: web01.lab.example\n    ssh: {host: 127.0.0.1, port: ${opts.port ?? d.port}, user: ${d.user}, identity: {secret: lab-ssh-key}, hostKey: "${opts.hostKey ?? d.hostKeyLine}", helperDir: ${opts.helperDir}}\n`);
  return dir;
}

/** Moves profile web (web01 with ssh, web02 without) to a new distro with the given hosted kernel. */
export function changeWebDistro(dir: string, kernel = "boot/debian-12/linux"): void {
  const sha = sha256Hex(readFileSync(join(dir, kernel)));
  const initrdSha = sha256Hex(readFileSync(join(dir, "boot/debian-12/initrd.gz")));
  editStackFile(dir, "distros.yaml", /\n?$/, `\n  debian-13-amd64:\n    os: {family: debian, release: "13"}\n    arch: x86_64\n    kernel: {path: ${kernel}, sha256: ${sha}}\n    initrd: {path: boot/debian-12/initrd.gz, sha256: ${initrdSha}}\n    installTree: http://deb.debian.org/debian\n`);
  editStackFile(dir, "profiles.yaml", "    inherits: base-debian\n    packages: [nginx]\n", "    inherits: base-debian\n    distro: debian-13-amd64\n    packages: [nginx]\n");
}

function state(dir: string): { resources: Record<string, { outputs: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(join(dir, ".bootplan/state.json"), "utf8"));
}

function fingerprintOf(pubFile: string): string {
  return spawnSync("ssh-keygen", ["-lf", pubFile], { encoding: "utf8" }).stdout.split(/\s+/)[1];
}

describeWithSshd("reinstall and facts over SSH (real sshd on 127.0.0.1)", () => {
  let sshd: TestSshd;
  let root: string;
  let helperDir: string;
  beforeAll(async () => {
    const parent = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "bootplan-target-"));
    root = sandboxRoot(parent);
    helperDir = join(parent, "helper");
    sshd = await startSshd({ setEnv: { BOOTPLAN_HELPER_ROOT: root } });
  });
  afterAll(async () => {
    await sshd?.stop();
    if (root) (await import("node:fs")).rmSync(join(root, ".."), { recursive: true, force: true });
  });

  it("plans a changed distro as a reinstall via the helper, stages the installer and a one-shot GRUB entry on the target", async () => {
    const d = sshLab(sshd, { helperDir });
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect(existsSync(join(root, "boot/bootplan"))).toBe(false); // declaring a running machine reinstalls nothing

    changeWebDistro(d);
    // Reviewed as a saved plan, then applied exactly: the key (a multi-line secret) is read again at apply time.
    const planFile = join(d, "reinstall.plan");
    const plan = await runCli(["plan", d, "--no-color", "--out", planFile]);
    expect(plan.code).toBe(0);
    expect(readFileSync(planFile, "utf8")).not.toContain(sshd.clientKey.split("\n")[1]);
    // (the lab's plugins add their own "# by plugin ..." lines first)
    expect(plan.stdout).toMatch(/-\/\+ system\.web01 \(reinstall via helper: grub one-shot\)\n(?: {6}# by plugin [^\n]*\n)* {6}# reinstall because distro changed/);
    expect(plan.stdout).toMatch(/-\/\+ system\.web02 \(reinstall: distro changed\)\n(?: {6}# by plugin [^\n]*\n)* {6}# no ssh: its boot files change, and someone must reboot it into the network/);

    const a = await runCli(["apply", planFile, "--no-color"]);
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    expect(readFileSync(join(root, "boot/bootplan/vmlinuz"))).toEqual(readFileSync(join(d, "boot/debian-12/linux")));
    expect(readFileSync(join(root, "boot/bootplan/initrd.img"))).toEqual(readFileSync(join(d, "boot/debian-12/initrd.gz")));
    const custom = readFileSync(join(root, "boot/grub/custom.cfg"), "utf8");
    expect(custom).toContain("menuentry 'bootplan reinstall' --id bootplan-reinstall {");
    // The same installer command line the boot configs carry, pointing at the answer file, with the
    // static network settings d-i needs before it can fetch it.
    expect(custom).toContain("linux /boot/bootplan/vmlinuz 'auto=true' 'priority=critical' 'url=http://10.0.2.2:8080/answers/web01.cfg' 'hostname=web01' 'domain=lab.example' 'interface=auto' 'netcfg/disable_autoconfig=true' 'netcfg/get_ipaddress=10.0.2.15' 'netcfg/get_netmask=255.255.255.0' 'netcfg/get_gateway=10.0.2.2' 'netcfg/get_nameservers=10.0.2.3' 'netcfg/confirm_static=true' 'console=ttyS0,115200'");
    const env = spawnSync("grub-editenv", [join(root, "boot/grub/grubenv"), "list"], { encoding: "utf8" });
    expect(env.stdout).toContain("next_entry=bootplan-reinstall");
    const check = spawnSync("grub-script-check", [join(root, "boot/grub/custom.cfg")], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
    // The helper was uploaded intact; the streamed boot files were removed after staging.
    const helperFiles = readdirSync(helperDir);
    expect(helperFiles.filter((f) => f.startsWith("stage-"))).toEqual([]);
    const uploaded = helperFiles.find((f) => f.startsWith("bootplan-helper-"))!;
    expect(sha256Hex(readFileSync(join(helperDir, uploaded)))).toBe(sha256Hex(readFileSync(HELPER)));

    expect(state(d).resources["system.web01"].outputs.distro).toBe("debian-13-amd64");
    expect(readFileSync(join(d, ".bootplan/state.json"), "utf8")).not.toContain(sshd.clientKey.split("\n")[1]);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);

    const again = await runCli(["plan", d, "--no-color", "--replace", "system.web01"]);
    expect(again.stdout).toMatch(/-\/\+ system\.web01 \(reinstall via helper: grub one-shot\)\n(?: {6}# by plugin [^\n]*\n)* {6}# reinstall because requested with --replace/);
    expect(again.stdout).toContain("Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.");
  });

  it("bootplan facts shows the machine's real facts and where they differ from the declared attributes", async () => {
    const d = sshLab(sshd, { helperDir });
    const r = await runCli(["facts", "system.web01", d, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { facts, differences } = JSON.parse(r.stdout);
    expect(facts.cpus).toBe(cpus().length);
    expect(facts.memoryMiB).toBe(Math.floor(totalmem() / 2 ** 20));
    expect(facts.arch).toBe(machine());
    expect(facts.firmware).toBe(existsSync("/sys/firmware/efi") ? "uefi" : "bios");
    const osId = /^ID=(.*)$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1].replace(/"/g, "");
    expect(facts.os.id).toBe(osId);
    const declared = { arch: "x86_64", firmware: "uefi", memoryMiB: 4096 };
    const expected = Object.entries(declared).filter(([k, v]) => facts[k] !== v).map(([k]) => k);
    expect(differences.map((x: { attribute: string }) => x.attribute).sort()).toEqual(expected.sort());

    const text = await runCli(["facts", "system.web01", d, "--no-color"]);
    expect(text.stdout).toContain(`  memoryMiB  ${facts.memoryMiB}`);
    if (expected.length) expect(text.stdout).toContain("differs from the declared attributes:");

    // What the system provider's read returns for drift: declared attributes as the facts show them,
    // only on a full refresh (the default refresh opens no SSH connection).
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const rec = state(d).resources["system.web01"].outputs;
    const secrets = { "lab-ssh-key": sshd.clientKey };
    const { providerFor } = await import("../../src/providers/index.js");
    const { closeSharedPool } = await import("../../src/remote/shared-pool.js");
    try {
      const full = await providerFor("system").read("web01", { ...rec, __secrets: secrets, __runtime: { base: d, refresh: "full" } });
      expect(full.props!.attributes).toEqual({ ...declared, arch: facts.arch, firmware: facts.firmware, memoryMiB: facts.memoryMiB });
      const quick = await providerFor("system").read("web01", { ...rec, __secrets: {}, __runtime: { base: d, refresh: "stat" } });
      expect(quick.props!.attributes).toEqual(declared);
    } finally {
      await closeSharedPool();
    }
  });

  it("plan --use-facts decides compatibility on discovered facts, and explain says which values came from them", async () => {
    const d = sshLab(sshd, { helperDir });
    const real = Math.floor(totalmem() / 2 ** 20);
    editStackFile(d, "systems.yaml", "attributes: {arch: x86_64, firmware: uefi, memoryMiB: 4096}\n    manage:", `attributes: {arch: ${machine()}, memoryMiB: 1024}\n    manage:`);
    editStackFile(d, "systems.yaml", "  web01:\n    profile: web\n", "  web01:\n    profile: web-big\n");
    editStackFile(d, "profiles.yaml", /\n?$/, `\n  web-big:\n    inherits: web\n    requires: {memoryMiB: {min: ${real - 1}}}\n`);
    const declared = await runCli(["plan", d]);
    expect(declared.code).toBe(1);
    expect(declared.stderr).toContain(`system.web01: profile web-big: memoryMiB 1024 is below the minimum ${real - 1}`);
    const withFacts = await runCli(["plan", d, "--use-facts"]);
    expect(withFacts.stderr).toBe("");
    expect(withFacts.code).toBe(0);
    const explain = await runCli(["explain", "system.web01", d, "--use-facts", "--no-color"]);
    expect(explain.stdout).toContain(`memoryMiB=${real} (from facts; declared 1024)`);
  });

  it("refuses a changed host key with the expected and offered fingerprints, and ssh-keyscan prints the line to pin", async () => {
    const other = generateHostKey(sshd.dir);
    const pinned = readFileSync(`${other}.pub`, "utf8").split(/\s+/).slice(0, 2).join(" ");
    const d = sshLab(sshd, { helperDir, hostKey: pinned });
    const r = await runCli(["facts", "system.web01", d]);
    expect(r.code).toBe(1);
    const offered = fingerprintOf(join(sshd.dir, "host_ed25519.pub"));
    expect(r.stderr).toContain(`offered host key ${offered} (ssh-ed25519), expected ${fingerprintOf(`${other}.pub`)}`);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);

    // An apply that needs the machine fails for it alone, and records nothing for it.
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    changeWebDistro(d);
    const a = await runCli(["apply", d, "--auto-approve", "--no-color"]);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("system.web01");
    expect(a.stderr).toContain(offered);
    expect(state(d).resources["system.web01"].outputs.distro).toBe("debian-12-amd64");
    expect(state(d).resources["system.web02"].outputs.distro).toBe("debian-13-amd64");

    const scan = await runCli(["ssh-keyscan", "system.web01", d]);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toBe(`${sshd.hostKeyLine}\n`);
    expect(scan.stderr).toContain(offered);
  });

  it("a connection lost mid-apply fails that machine only: state intact, the next plan still shows the reinstall", async () => {
    // Every connection through the relay is cut once the client has sent 1 MB: after the handshake
    // and the helper (a few KB), in the middle of streaming the 4 MB installer kernel.
    const proxy = await startProxy(sshd.port, 1_000_000);
    try {
      const d = sshLab(sshd, { helperDir, port: proxy.port });
      writeFileSync(join(d, "boot/big-kernel"), randomBytes(4 * 2 ** 20));
      expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
      const before = state(d);
      changeWebDistro(d, "boot/big-kernel");

      const a = await runCli(["apply", d, "--auto-approve", "--no-color"]);
      expect(a.code).toBe(1);
      expect(proxy.cuts).toBeGreaterThan(0);
      expect(a.stderr).toMatch(/^Error: system\.web01: .*connection (lost|closed)/);
      expect(a.stdout).toMatch(/system\.web02: replaced/); // independent work carried on
      const after = state(d);
      expect(after.resources["system.web01"]).toEqual(before.resources["system.web01"]);
      expect(after.resources["system.web02"].outputs.distro).toBe("debian-13-amd64");
      // Nothing half-sent was staged: the helper never ran.
      expect(existsSync(join(root, "boot/bootplan/vmlinuz")) && readFileSync(join(root, "boot/bootplan/vmlinuz")).length === 4 * 2 ** 20).toBe(false);

      const plan = await runCli(["plan", d, "--no-color"]);
      expect(plan.stdout).toContain("-/+ system.web01 (reinstall via helper: grub one-shot)");
      expect(plan.stdout).toContain("Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.");

      proxy.cutAfterBytes = Infinity; // the network is back
      const retry = await runCli(["apply", d, "--auto-approve", "--no-color"]);
      expect(retry.stderr).toBe("");
      // Compared by hash: a deep equality of 4 MB buffers is slow.
      expect(sha256Hex(readFileSync(join(root, "boot/bootplan/vmlinuz")))).toBe(sha256Hex(readFileSync(join(d, "boot/big-kernel"))));
      expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
    } finally {
      await proxy.close();
    }
  });
}, describe);
