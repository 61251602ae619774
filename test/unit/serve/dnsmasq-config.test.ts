/** The rendered dnsmasq configuration, checked by the real dnsmasq (`dnsmasq --test`). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { renderDnsmasqConfig, type DnsmasqInput } from "../../../src/render/dnsmasq.js";
import { describeWithTool } from "../../integration/cm/tools.js";

const tmp = mkdtempSync(join(tmpdir(), "bootplan-dnsmasq-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base: DnsmasqInput = {
  stack: "lab",
  serverUrl: "http://10.0.2.2:8080",
  settings: { dhcp: "static", loaders: { bios: "ipxe", uefi: "ipxe" } },
  clients: [
    { system: "web01", hostname: "web01.lab.example", mac: "52:54:00:12:34:01", ip: "10.0.2.15", prefix: 24, gateway: "10.0.2.2", dns: ["10.0.2.3"] },
    { system: "ci01", hostname: "ci01.lab.example", mac: "52:54:00:12:34:04", dns: [] },
    { system: "far01", hostname: "far01", mac: "52:54:00:12:35:01", ip: "192.168.7.9", prefix: 16, dns: [] },
  ],
};

function dnsmasqTest(text: string): { status: number | null; out: string } {
  const file = join(tmp, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, text);
  const r = spawnSync("dnsmasq", ["--test", `--conf-file=${file}`], { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describeWithTool("dnsmasq", "dnsmasq", "the rendered dnsmasq configuration", () => {
  it("gives each static system its address, name, router and name server, and one range per network", () => {
    const text = renderDnsmasqConfig(base);
    expect(text).toContain("dhcp-host=52:54:00:12:34:01,set:bp-web01,10.0.2.15,web01,infinite\n");
    expect(text).toContain("dhcp-option=tag:bp-web01,option:router,10.0.2.2\n");
    expect(text).toContain("dhcp-option=tag:bp-web01,option:dns-server,10.0.2.3\n");
    expect(text).toContain("dhcp-range=10.0.2.0,static,255.255.255.0\n");
    expect(text).toContain("dhcp-range=192.168.0.0,static,255.255.0.0\n");
    expect(text).toContain("dhcp-option=tag:bp-far01,option:router\n"); // no gateway: no default route
    expect(text).toContain("dhcp-host=52:54:00:12:34:04,set:bp-ci01\n");
    expect(text).toContain("dhcp-ignore=tag:!known\n");
    expect(text).not.toContain("tftp-root"); // given by serve: the file names no absolute path
    expect(dnsmasqTest(text)).toEqual({ status: 0, out: expect.stringContaining("syntax check OK") });
  });

  it("hands iPXE the chain script and other clients a loader per architecture", () => {
    const text = renderDnsmasqConfig(base);
    expect(text).toContain("dhcp-match=set:ipxe,175\n");
    expect(text).toContain("dhcp-boot=tag:ipxe,tag:!efi64,tag:!arm64,http://10.0.2.2:8080/boot.ipxe\n");
    expect(text).toContain("dhcp-boot=tag:ipxe,tag:efi64,http://10.0.2.2:8080/boot.ipxe\n");
    expect(text).toContain("dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi,,10.0.2.2\n");
    expect(text).toContain("dhcp-boot=tag:!ipxe,tag:!efi64,tag:!arm64,undionly.kpxe,,10.0.2.2\n");
    // With PXELINUX or GRUB as the loader, even an iPXE NIC ROM gets it (iPXE runs PXE programs).
    const other = renderDnsmasqConfig({ ...base, settings: { dhcp: "static", loaders: { bios: "pxelinux", uefi: "grub" } } });
    expect(other).toContain("dhcp-boot=tag:efi64,grub/grubnetx64.efi,,10.0.2.2\n");
    expect(other).toContain("dhcp-boot=tag:!efi64,tag:!arm64,pxelinux.0,,10.0.2.2\n");
    expect(other).not.toContain("boot.ipxe");
    expect(dnsmasqTest(other).status).toBe(0);
  });

  it("answers only with boot information in proxy mode, beside a DHCP server bootplan does not own", () => {
    const text = renderDnsmasqConfig({ ...base, settings: { dhcp: "proxy", interface: "eth1", loaders: { bios: "ipxe", uefi: "ipxe" } } });
    expect(text).toContain("dhcp-range=10.0.2.0,proxy,255.255.255.0\n");
    expect(text).toContain("interface=eth1\n");
    expect(text).toContain("dhcp-host=52:54:00:12:34:01,set:bp-web01\n");
    expect(text).not.toContain("10.0.2.15");
    expect(text).toMatch(/^pxe-service=tag:ipxe,x86PC,"bootplan",http:\/\/10\.0\.2\.2:8080\/boot\.ipxe$/m);
    expect(dnsmasqTest(text)).toEqual({ status: 0, out: expect.stringContaining("syntax check OK") });
  });

  it("serves TFTP only with dhcp: none", () => {
    const text = renderDnsmasqConfig({ ...base, settings: { dhcp: "none", loaders: { bios: "ipxe", uefi: "ipxe" } } });
    expect(text).toContain("enable-tftp\n");
    expect(text).not.toMatch(/dhcp-/);
    expect(dnsmasqTest(text).status).toBe(0);
  });
});
