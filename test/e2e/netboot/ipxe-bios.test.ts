/**
 * The real Debian 12 installer network-boots from bootplan serve: iPXE (BIOS) gets its address and the
 * chain script from serve's dnsmasq, fetches web02's script, kernel and initrd over HTTP, and d-i
 * configures the stack's static address from the kernel command line, then fetches the preseed.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup } from "../../helpers/stack.js";
import { appliedLab, qemuArgs, startServe } from "./lab.js";
import { describeNetboot, Netns, waitForLog } from "./netns.js";

describeNetboot("netboot: iPXE (BIOS) boots the Debian installer from bootplan serve", () => {
  const ns = new Netns();
  let dir = "";
  const logs = mkdtempSync(join(tmpdir(), "bootplan-netboot-"));
  const serveLog = join(logs, "serve.log");
  const consoleLog = join(logs, "console.log");

  beforeAll(async () => {
    dir = appliedLab();
    ns.create();
    await startServe(ns, dir, serveLog);
    ns.start("qemu-system-x86_64", qemuArgs("52:54:00:12:34:02", consoleLog), join(logs, "qemu.log"));
  }, 60_000);

  afterAll(async () => {
    await ns.destroy();
    if (dir) cleanup(dir);
    // Kept for a look when something failed: serve's log and the VM's serial console.
    if (process.env.BOOTPLAN_KEEP_LOGS) console.log(`netboot logs kept in ${logs}`);
    else rmSync(logs, { recursive: true, force: true });
  });

  it("serves web02 its iPXE script, the installer's kernel and initrd, and its preseed, from its static address", async () => {
    await waitForLog(serveLog, /GET \/answers\/web02\.cfg 200 .*system=web02/, 480_000, "the preseed to be fetched");
    const log = readFileSync(serveLog, "utf8");
    expect(log).toMatch(/10\.0\.2\.16 GET \/boot\.ipxe 200/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/ipxe\/52-54-00-12-34-02\.ipxe 200 \d+ \S+ system=web02/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/images\/debian-12-amd64\/linux 200/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/images\/debian-12-amd64\/initrd 200/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/answers\/web02\.cfg 200 \d+ \S+ system=web02/);
    // iPXE asked dnsmasq (vendor class PXEClient); d-i did not: it took the static address from the command line.
    expect(log).toMatch(/DHCPACK\(tap0\) 10\.0\.2\.16 52:54:00:12:34:02/);
    expect(log).not.toMatch(/vendor class: d-i/);
  }, 490_000);

  it("d-i accepts the preseed and goes on to the mirror without asking for the network or the name server", async () => {
    await waitForLog(consoleLog, /mirror|Mirror|archive/, 120_000, "d-i to reach the mirror step");
    const text = readFileSync(consoleLog, "latin1");
    expect(text).not.toMatch(/Name server addresses/);
    expect(text).not.toMatch(/Configure the network|IP address:/);
  }, 130_000);
});
