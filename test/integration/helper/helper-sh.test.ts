/**
 * The helper client run for real under dash and busybox sh (the shells of minimal targets), against
 * a sandbox root (BOOTPLAN_HELPER_ROOT); its GRUB snippet checked by grub-script-check, the script by
 * shellcheck -s sh.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect } from "vitest";
import { sha256Hex } from "../../../src/util/hash.js";
import { REPO } from "../../helpers/stack.js";
import { requireTool } from "../../unit/render/tools.js";

const HELPER = join(REPO, "helper/bootplan-helper");
const work = mkdtempSync(join(tmpdir(), "bootplan-helper-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SHELLS: [string, string[], string][] = [
  ["dash", ["dash"], "apt-get install dash"],
  ["busybox sh", ["busybox", "sh"], "apt-get install busybox-static"],
];

function run(shell: string[], args: string[], root?: string, extraEnv: Record<string, string> = {}) {
  const env = { ...process.env, ...extraEnv, ...(root ? { BOOTPLAN_HELPER_ROOT: root } : {}) };
  if (!root) delete env.BOOTPLAN_HELPER_ROOT;
  const r = spawnSync(shell[0], [...shell.slice(1), HELPER, ...args], { encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(): { kernel: string; initrd: string; ks: string; is: string } {
  const dir = mkdtempSync(join(work, "in-"));
  writeFileSync(join(dir, "vmlinuz"), "installer kernel bytes\n");
  writeFileSync(join(dir, "initrd"), "installer initrd bytes\n");
  return { kernel: join(dir, "vmlinuz"), initrd: join(dir, "initrd"), ks: sha256Hex("installer kernel bytes\n"), is: sha256Hex("installer initrd bytes\n") };
}

const CMDLINE = "inst.ks=http://10.0.2.2:8080/answers/db01.cfg ds=nocloud-net;s=http://10.0.2.2:8080/answers/ci01/ console=ttyS0,115200";

for (const [name, shell, install] of SHELLS) {
  describe(`bootplan-helper under ${name}`, () => {
    const it = requireTool(shell[0], install);

    it("facts prints one JSON document describing this machine", () => {
      const r = run(shell, ["facts"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const f = JSON.parse(r.stdout);
      expect(f).toMatchObject({ helper: "bootplan-helper", version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
      expect(f.cpus).toBe(cpus().length);
      expect(f.firmware).toBe(existsSync("/sys/firmware/efi") ? "uefi" : "bios");
      expect(Array.isArray(f.cpuFlags) && Array.isArray(f.disks) && Array.isArray(f.interfaces)).toBe(true);
      expect(typeof f.bootTools.kexec).toBe("boolean");
    });

    it("stage-reinstall places verified files and a one-shot GRUB entry; unstage removes them and keeps the operator's custom.cfg", () => {
      const root = mkdtempSync(join(work, "root-"));
      mkdirSync(join(root, "boot/grub"), { recursive: true });
      writeFileSync(join(root, "boot/grub/custom.cfg"), "# the operator's own entry\nmenuentry 'rescue' { true }\n");
      const f = files();
      const r = run(shell, ["stage-reinstall", "--kernel", f.kernel, "--kernel-sha256", f.ks, "--initrd", f.initrd, "--initrd-sha256", f.is, "--cmdline", CMDLINE, "--reboot"], root);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ staged: true, method: "grub", entry: "bootplan-reinstall", reboot: "skipped: BOOTPLAN_HELPER_ROOT is set" });
      expect(readFileSync(join(root, "boot/bootplan/vmlinuz"), "utf8")).toBe("installer kernel bytes\n");
      expect(readFileSync(join(root, "boot/bootplan/cmdline"), "utf8")).toBe(`${CMDLINE}\n`);
      const custom = readFileSync(join(root, "boot/grub/custom.cfg"), "utf8");
      expect(custom).toContain("menuentry 'rescue' { true }");
      expect(custom).toContain("  linux /boot/bootplan/vmlinuz 'inst.ks=http://10.0.2.2:8080/answers/db01.cfg' 'ds=nocloud-net;s=http://10.0.2.2:8080/answers/ci01/' 'console=ttyS0,115200'\n");
      if (spawnSync("sh", ["-c", "command -v grub-script-check"]).status === 0) {
        const check = spawnSync("grub-script-check", [join(root, "boot/grub/custom.cfg")], { encoding: "utf8" });
        expect(check.status, check.stderr).toBe(0);
      }
      if (out.armed === "grub-editenv") {
        expect(spawnSync("grub-editenv", [join(root, "boot/grub/grubenv"), "list"], { encoding: "utf8" }).stdout).toContain("next_entry=bootplan-reinstall");
      }
      // Staging twice leaves one entry, not two.
      expect(run(shell, ["stage-reinstall", "--kernel", f.kernel, "--kernel-sha256", f.ks, "--initrd", f.initrd, "--initrd-sha256", f.is, "--cmdline", CMDLINE], root).code).toBe(0);
      expect(readFileSync(join(root, "boot/grub/custom.cfg"), "utf8").split("menuentry 'bootplan reinstall'").length).toBe(2);

      const u = run(shell, ["unstage"], root);
      expect(u.code).toBe(0);
      expect(JSON.parse(u.stdout).removed).toEqual(expect.arrayContaining(["grub-entry", "files"]));
      expect(existsSync(join(root, "boot/bootplan"))).toBe(false);
      expect(readFileSync(join(root, "boot/grub/custom.cfg"), "utf8")).toBe("# the operator's own entry\nmenuentry 'rescue' { true }\n");
      if (out.armed === "grub-editenv") expect(spawnSync("grub-editenv", [join(root, "boot/grub/grubenv"), "list"], { encoding: "utf8" }).stdout).not.toContain("next_entry");
    });

    it("refuses a file whose sha256 differs (exit 3) and stages nothing", () => {
      const root = mkdtempSync(join(work, "root-"));
      const f = files();
      const r = run(shell, ["stage-reinstall", "--kernel", f.kernel, "--kernel-sha256", "0".repeat(64), "--initrd", f.initrd, "--initrd-sha256", f.is, "--cmdline", CMDLINE], root);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^bootplan-helper: kernel .* has sha256 [0-9a-f]{64}, expected 0{64}\n$/);
      expect(r.stdout).toBe("");
      expect(existsSync(join(root, "boot"))).toBe(false);
    });

    it("answers bad usage with exit 2 and one line", () => {
      for (const args of [[], ["reboot-now"], ["stage-reinstall", "--kernel"], ["stage-reinstall", "--method", "pxe"], ["facts", "extra"]]) {
        const r = run(shell, args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      }
    });

    it("kexec staging in a sandbox root verifies and places the files but never loads a kernel into the running machine", () => {
      const root = mkdtempSync(join(work, "root-"));
      const f = files();
      const r = run(shell, ["stage-reinstall", "--method", "kexec", "--kernel", f.kernel, "--kernel-sha256", f.ks, "--initrd", f.initrd, "--initrd-sha256", f.is, "--cmdline", CMDLINE], root);
      if (spawnSync("sh", ["-c", "command -v kexec"]).status !== 0) {
        expect(r.code).toBe(4); // kexec-tools missing is its own exit code
        return;
      }
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ method: "kexec", armed: "skipped: BOOTPLAN_HELPER_ROOT is set" });
      expect(existsSync(join(root, "boot/bootplan/initrd.img"))).toBe(true);
      expect(existsSync(join(root, "boot/grub/custom.cfg"))).toBe(false);
    });
  });
}

describe("bootplan-helper source", () => {
  const it = requireTool("shellcheck", "apt-get install shellcheck");
  it("is clean under shellcheck -s sh (POSIX sh, no bashisms)", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", HELPER], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
