/** Guests in a stack: each is a system for everything else plus a guest.* resource; bad guests are one-line errors. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildDesiredResources } from "../../../src/graph/build.js";
import { loadStack } from "../../../src/stack/load.js";
import { parseDomainXml, renderDomainXml, type DomainSpec } from "../../../src/virt/domain-xml.js";
import { guestMac, systemHypervisorUri } from "../../../src/virt/resolve.js";
import { editStackFile, runCli, tempStacks } from "../../helpers/stack.js";
import { requireTool } from "../render/tools.js";

const stackCopy = tempStacks("virt-example");
const build = (dir: string) => buildDesiredResources(loadStack(dir), { secrets: { "bmc-password": "x" }, digest: (n) => `digest-${n}` });

describe("guests in the stack", () => {
  it("resolve to a system of the same name (attributes from the guest) and a guest with its hypervisor's URI", () => {
    const stack = loadStack(stackCopy());
    expect(stack.guests.vm01).toMatchObject({ uri: "qemu:///system", memoryMiB: 2048, vcpus: 2, disks: [{ sizeGiB: 20, pool: "default" }], network: "default", mac: guestMac("vm01") });
    expect(stack.guests.vm02).toMatchObject({ uri: "qemu+ssh://root@kvm01.virt.example/system", hypervisorSystem: "kvm01", disks: [{ sizeGiB: 10, pool: "default" }] });
    expect(stack.systems.vm01).toMatchObject({ profile: "base-debian", hostname: "vm01", interfaces: [{ mac: guestMac("vm01") }], attributes: { memoryMiB: 2048, cpus: 2, firmware: "bios" } });
  });

  it("reach a hypervisor system through virsh's SSH transport, as its ssh: says when it has one", () => {
    expect(systemHypervisorUri({ hostname: "kvm01.lab" })).toBe("qemu+ssh://root@kvm01.lab/system");
    expect(systemHypervisorUri({ hostname: "kvm01.lab" }, { host: "10.0.9.1", port: 2222, user: "ops" })).toBe("qemu+ssh://ops@10.0.9.1:2222/system");
  });

  it("count as systems in validate's summary, which says how many are guests", async () => {
    const r = await runCli(["validate", stackCopy()]);
    expect(r.stdout).toMatch(/^Stack virt-example is valid: 3 systems \(2 of them guests\), 2 profiles/);
  });

  it("are decided for compatibility like any system, with their memory as the memoryMiB attribute", async () => {
    const dir = stackCopy({ "sized.yaml": "packages:\n  big: {version: \"1\", requires: {memoryMiB: {min: 1536}}}\nprofiles:\n  sized: {inherits: base-debian, packages: [big]}\n" });
    editStackFile(dir, "machines.yaml", "profile: base-debian\n    memoryMiB: 2048", "profile: sized\n    memoryMiB: 2048");
    expect((await runCli(["plan", dir, "--no-lock"])).code).toBe(0);
    editStackFile(dir, "machines.yaml", "profile: base-debian\n    memoryMiB: 1024", "profile: sized\n    memoryMiB: 1024");
    const r = await runCli(["plan", dir, "--no-lock"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: system\.vm02: package big 1: memoryMiB 1024 /);
  });

  it("derive a stable MAC from the name: the same every time, different per guest, QEMU's prefix", () => {
    expect(guestMac("vm01")).toBe(guestMac("vm01"));
    expect(guestMac("vm01")).not.toBe(guestMac("vm02"));
    expect(guestMac("vm01")).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it("render boot configs for the guest's MAC and a guest.* resource after its system and its hypervisor system", () => {
    const byAddress = new Map(build(stackCopy()).map((r) => [r.address, r]));
    const mac = guestMac("vm01").replace(/:/g, "-");
    expect(Object.keys(byAddress.get("system.vm01")!.inputs.files as object)).toContain(`tftp/pxelinux.cfg/01-${mac}`);
    expect(byAddress.get("guest.vm01")!.dependsOn).toEqual(["system.vm01"]);
    expect(byAddress.get("guest.vm02")!.dependsOn).toEqual(["system.vm02", "system.kvm01"]);
    expect(byAddress.get("guest.vm01")!.inputs).toEqual({
      exists: true, name: "vm01", uri: "qemu:///system", arch: "x86_64", distro: "debian-12-amd64", memoryMiB: 2048, vcpus: 2,
      firmware: "bios", disks: [{ sizeGiB: 20, pool: "default" }], network: "default", mac: guestMac("vm01"),
    });
  });

  it("record a system's BMC with the password's secret name and digest only, and show the power action for installs", () => {
    const sys = build(stackCopy()).find((r) => r.address === "system.kvm01")!;
    expect(sys.inputs.power).toEqual({ type: "ipmi", host: "127.0.0.1", port: 623, user: "admin", passwordSecret: "bmc-password", interface: "lanplus" });
    expect(sys.secretNames).toEqual(["bmc-password"]);
    expect(sys.inputs.secretDigests).toEqual({ "bmc-password": "digest-bmc-password" });
    expect(sys.installNotes).toEqual(["power: cycle, next boot pxe (BMC 127.0.0.1:623; power on if off)"]);
  });

  const bad: [string, string | RegExp, string, RegExp][] = [
    ["an unknown hypervisor", "hypervisor: kvm01 ", "hypervisor: kvm99 ", /^Error: \S*machines\.yaml:\d+:\d+: guests\.vm02\.hypervisor: "kvm99" is neither a libvirt URI \(like qemu:\/\/\/system\) nor a system \(systems: kvm01\)$/],
    ["a guest as hypervisor", "hypervisor: kvm01 ", "hypervisor: vm01 ", /guests\.vm02\.hypervisor: "vm01" is neither a libvirt URI/],
    ["a name a system already has", "  vm02:", "  kvm01:", /^Error: \S*machines\.yaml:\d+:\d+: guests\.kvm01: a guest is also a system, and systems\.kvm01 is defined at \S*machines\.yaml:\d+:\d+$/],
    ["an invalid MAC", "# mac:", "mac:", /guests\.vm01\.mac: expected a unicast MAC address like 52:54:00:12:34:01, found "52:54:00:\.\.\."/],
    ["a MAC another machine has", '# mac: "52:54:00:..."', 'mac: "52:54:00:20:00:01"', /MAC 52:54:00:20:00:01 is already used by system kvm01/],
    ["a BMC password naming no secret", "{secret: bmc-password}", "{secret: nope}", /^Error: \S*machines\.yaml:\d+:\d+: systems\.kvm01\.power\.password\.secret: no secret named "nope" under secrets:$/],
    ["a network that is no name", "network: default ", "network: 'a b' ", /guests\.vm01\.network/],
  ];
  it.each(bad)("reject %s with one line naming file:line:column", async (_what, from, to, expected) => {
    const dir = stackCopy();
    editStackFile(dir, "machines.yaml", from, to);
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")[0]).toMatch(expected);
  });
});

describe("guest apply errors", () => {
  requireTool("virsh", "apt-get install libvirt-clients")("an unreachable hypervisor fails the guest with one line naming it and libvirt's reason", async () => {
    const dir = stackCopy();
    writeFileSync(join(dir, "machines.yaml"), "guests:\n  vm01: {hypervisor: \"qemu+unix:///session?socket=/nonexistent/sock\", profile: base-debian, memoryMiB: 256, vcpus: 1}\n");
    const r = await runCli(["apply", dir, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: guest\.vm01: virsh capabilities on qemu\+unix:\/\/\/session\?socket=\/nonexistent\/sock: failed to connect to the hypervisor; Failed to connect socket to '\/nonexistent\/sock': No such file or directory; \d+ operation\(s\) completed and recorded, 0 not started\n$/);
  });
});

describe("domain XML", () => {
  const spec: DomainSpec = {
    name: "vm01", domainType: "qemu", arch: "x86_64", memoryMiB: 512, vcpus: 2, firmware: "bios",
    disks: [{ pool: "default", volume: "vm01-disk0.qcow2" }], network: "bridge:br0", mac: "52:54:00:aa:bb:cc",
  };

  it("is a pure function of the guest: same input, same text; boots from the network, then the disk", () => {
    const xml = renderDomainXml(spec);
    expect(renderDomainXml({ ...spec })).toBe(xml);
    expect(xml).toMatch(/<boot dev='network'\/>\n\s+<boot dev='hd'\/>/);
    expect(xml).toContain("<source bridge='br0'/>");
    expect(renderDomainXml({ ...spec, firmware: "uefi" })).toContain("<os firmware='efi'>");
  });

  it("reads memory in any unit libvirt writes, vCPUs, MACs and UUID", () => {
    expect(parseDomainXml("<domain><uuid>ab-12</uuid><memory unit='KiB'>393216</memory><vcpu placement='static'>3</vcpu><mac address='52:54:00:AA:00:01'/></domain>"))
      .toEqual({ uuid: "ab-12", memoryMiB: 384, vcpus: 3, macs: ["52:54:00:aa:00:01"] });
    expect(parseDomainXml("<memory unit='GiB'>2</memory>").memoryMiB).toBe(2048);
  });

  requireTool("virsh", "apt-get install libvirt-clients")("is accepted by libvirt's own parser and reads back as written", () => {
    const dir = mkdtempSync(join(tmpdir(), "bootplan-domxml-"));
    try {
      const file = join(dir, "vm01.xml");
      writeFileSync(file, renderDomainXml({ ...spec, network: "default" }));
      // One virsh process: libvirt's test driver keeps its domains only while it runs.
      const r = spawnSync("virsh", ["-q", "-c", "test:///default", `define ${file}; dumpxml --inactive vm01`], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(parseDomainXml(r.stdout)).toMatchObject({ memoryMiB: 512, vcpus: 2, macs: ["52:54:00:aa:bb:cc"] });
      expect(r.stdout).toContain("<source pool='default' volume='vm01-disk0.qcow2'/>");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
