/**
 * The real Debian 12 installer network-boots from bootplan serve: iPXE (BIOS) gets its address and the
 * chain script from serve's dnsmasq, fetches web02's script, kernel and initrd over HTTP, and d-i
 * configures the stack's static address from the kernel command line, then fetches the preseed.
 * The installer's own log comes over syslog (`log_host=`, added to the profile's kernel arguments)
 * to a listener inside the namespace; its screens come over the serial console.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { editStackFile } from "../../helpers/stack.js";
import { appliedLab, qemuArgs, startServe, tearDown } from "./lab.js";
import { describeNetboot, Netns, waitForLog } from "./netns.js";

describeNetboot("netboot: iPXE (BIOS) boots the Debian installer from bootplan serve", () => {
  const ns = new Netns();
  let dir = "";
  const logs = mkdtempSync(join(tmpdir(), "bootplan-netboot-"));
  const serveLog = join(logs, "serve.log");
  const consoleLog = join(logs, "console.log");
  const syslog = join(logs, "syslog");

  beforeAll(async () => {
    dir = appliedLab((d) => editStackFile(d, "profiles.yaml", 'kernelArgs: ["console=ttyS0,115200"]', 'kernelArgs: ["console=ttyS0,115200", "log_host=10.0.2.2"]'));
    ns.create();
    ns.startSyslog(syslog);
    await startServe(ns, dir, serveLog);
    ns.start("qemu-system-x86_64", qemuArgs("52:54:00:12:34:02", consoleLog), join(logs, "qemu.log"));
  }, 60_000);

  afterAll(() => tearDown(ns, dir, logs));

  it("serves web02 its iPXE script, the installer's kernel and initrd, and its preseed, from its static address", async () => {
    await waitForLog(serveLog, /GET \/answers\/web02\.cfg 200 .*system=web02/, 600_000, "the preseed to be fetched");
    const log = readFileSync(serveLog, "utf8");
    expect(log).toMatch(/10\.0\.2\.16 GET \/boot\.ipxe 200/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/ipxe\/52-54-00-12-34-02\.ipxe 200 \d+ \S+ system=web02/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/images\/debian-12-amd64\/linux 200/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/images\/debian-12-amd64\/initrd 200/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/answers\/web02\.cfg 200 \d+ \S+ system=web02/);
    // iPXE asked dnsmasq (vendor class PXEClient); d-i did not: it took the static address from the command line.
    expect(log).toMatch(/DHCPACK\(tap0\) 10\.0\.2\.16 52:54:00:12:34:02/);
    expect(log).not.toMatch(/vendor class: d-i/);
  }, 610_000);

  it("d-i configured the static address without asking, and accepted the preseed", async () => {
    await waitForLog(syslog, /preseed: successfully loaded preseed file from http:\/\/10\.0\.2\.2:8080\/answers\/web02\.cfg/, 600_000, "d-i to load the preseed");
    const log = readFileSync(syslog, "latin1");
    expect(log).toMatch(/netcfg\[\d+\]: DEBUG: Getting default hostname from rDNS lookup of static-configured address 10\.0\.2\.16/);
    expect(log).toMatch(/netcfg\[\d+\]: DEBUG: Writing static IPv4 stanza for ens\w+/);
    expect(log).not.toMatch(/dhcp|udhcpc/i);
    // The serial console showed the installer's screens, and none asked for the network or a name server.
    const screens = readFileSync(consoleLog, "latin1");
    expect(screens).toMatch(/Detecting link on ens\w+/);
    expect(screens).not.toMatch(/Name server addresses|Configure the network|IP address:/);
  }, 610_000);
});
