import { describe, expect, it } from "vitest";
import { installerKernelArgs } from "../../../src/render/kernel-args.js";
import { dhcpNic, distro, input, nic, profile, system } from "./factories.js";

describe("installerKernelArgs", () => {
  it("points debian-installer at the preseed with hostname and domain split from the FQDN", () => {
    expect(installerKernelArgs(input("debian"))).toEqual([
      "auto=true", "priority=critical", "url=http://10.0.2.2:8080/answers/web01.cfg",
      "hostname=web01", "domain=lab.example", "interface=auto",
      "netcfg/disable_autoconfig=true", "netcfg/get_ipaddress=10.0.2.15", "netcfg/get_netmask=255.255.255.0",
      "netcfg/get_gateway=10.0.2.2", "netcfg/get_nameservers=10.0.2.3", "netcfg/confirm_static=true",
      "console=ttyS0,115200",
    ]);
  });

  it("gives debian-installer no netcfg/ settings for a DHCP interface, and answers a missing gateway and name server", () => {
    expect(installerKernelArgs(input("debian", { system: system({ interfaces: [dhcpNic()] }) })).some((a) => a.startsWith("netcfg/"))).toBe(false);
    const args = installerKernelArgs(input("debian", { system: system({ interfaces: [nic({ gateway: undefined, dns: [] })] }) }));
    expect(args).toContain("netcfg/no_default_route=true");
    expect(args).toContain("netcfg/get_nameservers=");
    expect(args.some((a) => a.startsWith("netcfg/get_gateway"))).toBe(false);
  });

  it("gives casper a static ip= (or ip=dhcp) and url= when the install tree is the live ISO", () => {
    expect(installerKernelArgs(input("ubuntu"))[0]).toBe("ip=10.0.2.15::10.0.2.2:255.255.255.0:web01::off:10.0.2.3");
    const iso = "http://mirror.example/ubuntu-24.04-live-server-amd64.iso";
    const args = installerKernelArgs(input("ubuntu", { distro: distro("ubuntu", { installTree: iso }), system: system({ interfaces: [dhcpNic()] }) }));
    expect(args.slice(0, 2)).toEqual(["ip=dhcp", `url=${iso}`]);
  });

  it("leaves domain= out for a hostname without a dot", () => {
    const args = installerKernelArgs(input("debian", { system: system({ hostname: "web01" }) }));
    expect(args).toContain("hostname=web01");
    expect(args.some((a) => a.startsWith("domain="))).toBe(false);
  });

  it("gives anaconda inst.ks, inst.repo and a static ip= for the first interface with an address", () => {
    const inp = input("rhel", { system: system({ interfaces: [dhcpNic(), nic({ mac: "52:54:00:12:34:05", ip: "10.0.9.7", prefix: 16, gateway: undefined, dns: [] })] }) });
    const args = installerKernelArgs(inp);
    expect(args.slice(0, 3)).toEqual([
      "inst.ks=http://10.0.2.2:8080/answers/web01.cfg",
      "inst.repo=http://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os",
      "ip=10.0.9.7:::255.255.0.0:web01.lab.example::none",
    ]);
  });

  it("uses ip=dhcp and no inst.repo when there is no static address or install tree", () => {
    const args = installerKernelArgs(input("rhel", { distro: distro("rhel", { installTree: undefined }), system: system({ interfaces: [dhcpNic()] }) }));
    expect(args).toEqual(["inst.ks=http://10.0.2.2:8080/answers/web01.cfg", "ip=dhcp", "console=ttyS0,115200"]);
  });

  it("gives subiquity the NoCloud seed directory", () => {
    expect(installerKernelArgs(input("ubuntu")).slice(1, 3)).toEqual(["autoinstall", "ds=nocloud-net;s=http://10.0.2.2:8080/answers/web01/"]);
  });

  it("appends profile kernelArgs, then system kernelArgs", () => {
    const inp = input("debian", { profile: profile("preseed", { kernelArgs: ["p1", "p2"] }), system: system({ kernelArgs: ["s1"] }) });
    expect(installerKernelArgs(inp).slice(-3)).toEqual(["p1", "p2", "s1"]);
  });
});
