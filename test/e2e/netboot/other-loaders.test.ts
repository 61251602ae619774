/**
 * The other boot paths to the same installer, run by `npm run e2e:netboot` (each takes minutes under
 * TCG): iPXE on UEFI (OVMF), PXELINUX on BIOS (everything over TFTP), GRUB on UEFI (kernel over HTTP).
 * Each asserts from serve's log that the system fetched its preseed from its static address.
 */
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { editStackFile } from "../../helpers/stack.js";
import { appliedLab, qemuArgs, startServe, tearDown } from "./lab.js";
import { describeNetboot, Netns, waitForLog } from "./netns.js";

const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
const ALL = !!process.env.BOOTPLAN_E2E_NETBOOT_ALL;

interface Case {
  name: string;
  mac: string;
  ip: string;
  system: string;
  uefi: boolean;
  loaders?: string;
  /** What serve's log must also show: how the loader got the kernel. */
  kernel: RegExp;
}

const CASES: Case[] = [
  { name: "iPXE on UEFI (OVMF)", system: "web01", mac: "52:54:00:12:34:01", ip: "10.0.2.15", uefi: true, kernel: /10\.0\.2\.15 GET \/images\/debian-12-amd64\/linux 200/ },
  { name: "PXELINUX on BIOS", system: "web02", mac: "52:54:00:12:34:02", ip: "10.0.2.16", uefi: false, loaders: "{bios: pxelinux}", kernel: /sent \S+\/tftp\/images\/debian-12-amd64\/linux to 10\.0\.2\.16/ },
  { name: "GRUB on UEFI", system: "web01", mac: "52:54:00:12:34:01", ip: "10.0.2.15", uefi: true, loaders: "{uefi: grub}", kernel: /10\.0\.2\.15 GET \/images\/debian-12-amd64\/linux 200/ },
];

describeNetboot("netboot: the other loaders boot the Debian installer from bootplan serve", () => {
  let ns: Netns | undefined;
  let dir = "";
  let work = "";
  afterEach(() => tearDown(ns, dir, work));

  for (const c of CASES) {
    (ALL ? it : it.skip)(`${c.name}${ALL ? "" : " (npm run e2e:netboot)"}`, async () => {
      work = mkdtempSync(join(tmpdir(), "bootplan-netboot-"));
      dir = appliedLab((d) => {
        if (c.loaders) editStackFile(d, "stack.yaml", /^secrets:/m, `serve:\n  loaders: ${c.loaders}\n\nsecrets:`);
      });
      ns = new Netns();
      ns.create();
      const serveLog = join(work, "serve.log");
      await startServe(ns, dir, serveLog);
      const firmware: string[] = [];
      if (c.uefi) {
        copyFileSync(OVMF_VARS, join(work, "vars.fd"));
        firmware.push("-drive", `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, "-drive", `if=pflash,format=raw,file=${join(work, "vars.fd")}`);
      }
      ns.start("qemu-system-x86_64", qemuArgs(c.mac, join(work, "console.log"), firmware), join(work, "qemu.log"));
      await waitForLog(serveLog, new RegExp(`${c.ip.replace(/\./g, "\\.")} GET /answers/${c.system}\\.cfg 200 \\d+ \\S+ system=${c.system}`), 540_000, `${c.system}'s preseed to be fetched`);
      const log = readFileSync(serveLog, "utf8");
      expect(log).toMatch(c.kernel);
      expect(log).not.toMatch(/vendor class: d-i/);
    }, 600_000);
  }
}, [{ path: OVMF_CODE, pkg: "ovmf" }, { path: "/usr/lib/PXELINUX/pxelinux.0", pkg: "pxelinux" }, { path: "/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi", pkg: "grub-efi-amd64-bin" }]);
