import { describe, expect, it } from "vitest";
import { renderPxelinuxConfig } from "../../../src/render/pxelinux.js";
import { renderIpxeScript } from "../../../src/render/ipxe.js";
import { bootSpec } from "../../../src/render/system.js";
import { installerKernelArgs } from "../../../src/render/kernel-args.js";
import { distro, hostedDistro, input, system } from "./factories.js";

type Input = ReturnType<typeof input>;
const spec = (inp: Input) => bootSpec(inp, inp.system.interfaces[0].mac, inp.system.netboot ? installerKernelArgs(inp) : []);

describe("renderPxelinuxConfig", () => {
  it("has one DEFAULT label with KERNEL and an APPEND carrying initrd= and the installer args", () => {
    const text = renderPxelinuxConfig(spec(input("rhel")));
    const lines = text.split("\n");
    expect(lines.filter((l) => /^DEFAULT /.test(l))).toEqual(["DEFAULT install"]);
    expect(lines).toContain("LABEL install");
    expect(lines).toContain("  KERNEL http://mirror.example:8080/rocky-9-x86_64/vmlinuz");
    const append = lines.find((l) => l.startsWith("  APPEND "))!;
    expect(append.split(" ")).toContain("initrd=http://mirror.example:8080/rocky-9-x86_64/initrd.img");
    expect(append).toContain(" inst.ks=http://10.0.2.2:8080/answers/web01.cfg");
  });

  it("refers to hosted boot files relative to the TFTP root", () => {
    const text = renderPxelinuxConfig(spec(input("debian", { distro: hostedDistro("debian") })));
    expect(text).toContain("  KERNEL images/debian-12-amd64/linux\n");
    expect(text).toContain("  APPEND initrd=images/debian-12-amd64/initrd ");
  });

  it("passes the nocloud semicolon through as is", () => {
    expect(renderPxelinuxConfig(spec(input("ubuntu")))).toContain(" ds=nocloud-net;s=http://10.0.2.2:8080/answers/web01/ ");
  });

  it("boots the local disk for netboot: false, with no installer", () => {
    const text = renderPxelinuxConfig(spec(input("debian", { system: system({ netboot: false }) })));
    expect(text).toContain("DEFAULT local\n");
    expect(text).toContain("  LOCALBOOT 0\n");
    expect(text).not.toMatch(/KERNEL|APPEND|initrd/);
  });

  it("refuses a kernel argument that would start a new config line", () => {
    expect(() => renderPxelinuxConfig(spec(input("debian", { system: system({ kernelArgs: ["a\nLABEL evil"] }) })))).toThrow(/newline/);
  });
});

describe("renderIpxeScript", () => {
  it("starts with #!ipxe and runs kernel, a named initrd, then boot", () => {
    const lines = renderIpxeScript(spec(input("debian"))).trimEnd().split("\n");
    expect(lines[0]).toBe("#!ipxe");
    const commands = lines.filter((l) => !l.startsWith("#"));
    expect(commands.map((l) => l.split(" ")[0])).toEqual(["kernel", "initrd", "boot"]);
    expect(commands[0]).toMatch(/^kernel http:\/\/mirror\.example:8080\/debian-12-amd64\/vmlinuz initrd=initrd auto=true /);
    expect(commands[1]).toBe("initrd --name initrd http://mirror.example:8080/debian-12-amd64/initrd.img");
  });

  it("fetches hosted boot files over HTTP from bootplan serve", () => {
    const text = renderIpxeScript(spec(input("rhel", { distro: hostedDistro("rhel") })));
    expect(text).toContain("kernel http://10.0.2.2:8080/images/rocky-9-x86_64/linux ");
    expect(text).toContain("initrd --name initrd http://10.0.2.2:8080/images/rocky-9-x86_64/initrd\n");
  });

  it("passes the nocloud semicolon through as is (iPXE only splits on a lone ';')", () => {
    expect(renderIpxeScript(spec(input("ubuntu")))).toContain(" ds=nocloud-net;s=http://10.0.2.2:8080/answers/web01/ ");
  });

  it("refuses a URL iPXE would expand as a setting", () => {
    const inp = input("debian", { distro: distro("debian", { kernel: { kind: "linked", url: "http://x/${evil}/vmlinuz" } }) });
    expect(() => renderIpxeScript(spec(inp))).toThrow(/iPXE has no quoting/);
  });

  it("boots the local disk for netboot: false, falling back to the firmware", () => {
    const text = renderIpxeScript(spec(input("debian", { system: system({ netboot: false }) })));
    expect(text.split("\n")[0]).toBe("#!ipxe");
    expect(text).toContain("sanboot --no-describe --drive 0x80 || exit\n");
    expect(text).not.toMatch(/^(kernel|initrd|boot)\b/m);
  });
});
