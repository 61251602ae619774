/** The lab stack prepared for a real network boot: Debian 12's netboot installer hosted, applied, served in a namespace. */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { expect } from "vitest";
import { cleanup, REPO, runBin, tempStack } from "../../helpers/stack.js";
import { Netns, qemuAccel, waitForLog } from "./netns.js";

/** Where debian-installer-12-netboot-amd64 puts the installer's kernel and initrd. */
export const DI_DIR = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64";

const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

/** Points a stack's debian-12-amd64 distro at the given kernel and initrd (copied in, hosted). */
export function hostBootFiles(dir: string, kernel: string, initrd: string): void {
  copyFileSync(kernel, join(dir, "boot/debian-12/linux"));
  copyFileSync(initrd, join(dir, "boot/debian-12/initrd.gz"));
  const path = join(dir, "distros.yaml");
  const text = readFileSync(path, "utf8")
    .replace(/(kernel: \{path: boot\/debian-12\/linux, sha256: )[0-9a-f]{64}/, `$1${sha(kernel)}`)
    .replace(/(initrd: \{path: boot\/debian-12\/initrd\.gz, sha256: )[0-9a-f]{64}/, `$1${sha(initrd)}`);
  writeFileSync(path, text);
}

/** A temp copy of the lab with the real installer hosted, `edit` applied to its files, then applied. */
export function appliedLab(edit: (dir: string) => void = () => {}): string {
  const dir = tempStack();
  hostBootFiles(dir, join(DI_DIR, "linux"), join(DI_DIR, "initrd.gz"));
  edit(dir);
  const r = runBin(["apply", dir, "--auto-approve"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return dir;
}

/** Starts bootplan serve (with dnsmasq) for `dir` inside `ns`; resolves once it says it serves. */
export async function startServe(ns: Netns, dir: string, logFile: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  ns.start(process.execPath, [join(REPO, "bin/bootplan.js"), "serve", dir], logFile, env);
  await waitForLog(logFile, /bootplan serve: stack lab, .*HTTP on http:\/\/10\.0\.2\.2:8080, dnsmasq pid \d+/, 20_000, "serve to start");
}

/** Stops everything a netboot test started and removes its stack; its logs stay when BOOTPLAN_KEEP_LOGS is set. */
export async function tearDown(ns: Netns | undefined, dir: string, logs: string): Promise<void> {
  await ns?.destroy();
  if (dir) cleanup(dir);
  if (process.env.BOOTPLAN_KEEP_LOGS) console.log(`netboot logs (serve, serial console, qemu) kept in ${logs}`);
  else if (logs) rmSync(logs, { recursive: true, force: true });
}

/** qemu's arguments for one VM on tap0 with `mac`, serial console to `consoleFile`. */
export function qemuArgs(mac: string, consoleFile: string, extra: string[] = []): string[] {
  return [
    "-machine", `accel=${qemuAccel(join(DI_DIR, "linux"))}`, "-m", "1024", "-smp", "1", "-display", "none", "-vga", "none", "-monitor", "none",
    "-serial", `file:${consoleFile}`, "-no-reboot", "-boot", "order=n",
    "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
    "-device", `e1000,netdev=n0,mac=${mac},romfile=/usr/lib/ipxe/qemu/efi-e1000.rom`,
    ...extra,
  ];
}
