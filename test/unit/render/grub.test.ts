import { describe, expect, it } from "vitest";
import { renderGrubConfig, grubUrlPath } from "../../../src/render/grub.js";
import { bootSpec } from "../../../src/render/system.js";
import { installerKernelArgs } from "../../../src/render/kernel-args.js";
import { distro, hostedDistro, input, system } from "./factories.js";
import { requireTool, runOnFile } from "./tools.js";

const itGrub = requireTool("grub-script-check", "apt-get install grub-common");
const grubFor = (inp: ReturnType<typeof input>) => renderGrubConfig(bootSpec(inp, inp.system.interfaces[0].mac, installerKernelArgs(inp)));
const scriptCheck = (text: string) => runOnFile("grub-script-check", [], text);

describe("renderGrubConfig", () => {
  itGrub("passes grub-script-check for every answer-file format", () => {
    for (const fam of ["debian", "ubuntu", "rhel"] as const) {
      const r = scriptCheck(grubFor(input(fam)));
      expect(r.stderr, fam).toBe("");
      expect(r.status, fam).toBe(0);
    }
  });

  itGrub("escapes the nocloud semicolon so GRUB keeps ds= as one argument", () => {
    const text = grubFor(input("ubuntu"));
    expect(text).toContain(`'ds=nocloud-net;s=http://10.0.2.2:8080/answers/web01/'`);
    expect(text).not.toMatch(/[^']ds=nocloud-net;/);
    expect(scriptCheck(text).status).toBe(0);
  });

  itGrub("quotes kernel arguments holding GRUB metacharacters and stays valid", () => {
    const inp = input("rhel", { system: system({ kernelArgs: ["a;b", "x$y", "{c}", "p|q&r", "it's"] }) });
    const text = grubFor(inp);
    expect(text).toContain(`'a;b' 'x$y' '{c}' 'p|q&r' 'it'\\''s'`);
    expect(scriptCheck(text).status).toBe(0);
  });

  it("uses GRUB's (http,host:port) device for linked boot files and loads the http module", () => {
    const text = grubFor(input("debian"));
    expect(text).toContain("insmod http\n");
    expect(text).toMatch(/^  linux \(http,mirror\.example:8080\)\/debian-12-amd64\/vmlinuz /m);
    expect(text).toContain("  initrd (http,mirror.example:8080)/debian-12-amd64/initrd.img\n");
  });

  it("fetches hosted boot files over HTTP from bootplan serve", () => {
    const text = grubFor(input("debian", { distro: hostedDistro("debian") }));
    expect(text).toMatch(/^  linux \(http,10\.0\.2\.2:8080\)\/images\/debian-12-amd64\/linux /m);
    expect(text).toContain("  initrd (http,10.0.2.2:8080)/images/debian-12-amd64/initrd\n");
    expect(text).toContain("insmod http\n");
  });

  it("names hosted boot files as absolute paths on the TFTP server GRUB came from when the server URL is https", () => {
    const text = grubFor(input("debian", { distro: hostedDistro("debian"), serverUrl: "https://boot.example" }));
    expect(text).toMatch(/^  linux \/images\/debian-12-amd64\/linux /m);
    expect(text).toContain("  initrd /images/debian-12-amd64/initrd\n");
    expect(text).not.toContain("insmod http");
  });

  it("refuses https boot files, which GRUB cannot fetch", () => {
    const inp = input("debian", { distro: distro("debian", { kernel: { kind: "linked", url: "https://secure.example/vmlinuz" } }) });
    expect(() => grubFor(inp)).toThrow(/GRUB cannot fetch https/);
    expect(grubUrlPath("tftp://10.0.0.1/k/vmlinuz")).toBe("(tftp,10.0.0.1)/k/vmlinuz");
  });

  itGrub("exits to the firmware for netboot: false, with no installer", () => {
    const inp = input("debian", { system: system({ netboot: false }) });
    const text = renderGrubConfig(bootSpec(inp, inp.system.interfaces[0].mac, []));
    expect(text).toMatch(/^exit$/m);
    expect(text).not.toMatch(/linux|initrd|menuentry/);
    expect(scriptCheck(text).status).toBe(0);
  });
});
