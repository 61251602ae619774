import { describe, expect, it } from "vitest";
import { hostedImagePath, installerKernelArgs, renderSystemFiles } from "../../../src/render/system.js";
import { dhcpNic, input, nic, system, SECRET_MARKER } from "./factories.js";

describe("renderSystemFiles", () => {
  it("writes three boot configs per MAC and the answer file once, sorted by path", () => {
    const inp = input("rhel", { system: system({ interfaces: [nic(), dhcpNic("52:54:00:ab:cd:ef")] }) });
    expect(renderSystemFiles(inp).map((f) => f.path)).toEqual([
      "http/answers/web01.cfg",
      "http/ipxe/52-54-00-12-34-01.ipxe",
      "http/ipxe/52-54-00-ab-cd-ef.ipxe",
      "tftp/grub/grub.cfg-01-52-54-00-12-34-01",
      "tftp/grub/grub.cfg-01-52-54-00-ab-cd-ef",
      "tftp/pxelinux.cfg/01-52-54-00-12-34-01",
      "tftp/pxelinux.cfg/01-52-54-00-ab-cd-ef",
    ]);
  });

  it("writes a NoCloud directory for autoinstall", () => {
    const paths = renderSystemFiles(input("ubuntu")).map((f) => f.path);
    expect(paths.filter((p) => p.startsWith("http/answers/"))).toEqual(["http/answers/web01/meta-data", "http/answers/web01/user-data"]);
  });

  it("renders identical bytes for identical input", () => {
    for (const fam of ["debian", "ubuntu", "rhel"] as const) {
      expect(JSON.stringify(renderSystemFiles(input(fam)))).toBe(JSON.stringify(renderSystemFiles(input(fam))));
    }
  });

  it("boots the local disk in all three formats for netboot: false but still renders the answer file", () => {
    const files = renderSystemFiles(input("debian", { system: system({ netboot: false }) }));
    const boot = files.filter((f) => !f.path.startsWith("http/answers/"));
    expect(boot).toHaveLength(3);
    for (const f of boot) expect(f.content).not.toMatch(/auto=true|vmlinuz|initrd/);
    expect(files.some((f) => f.path === "http/answers/web01.cfg")).toBe(true);
  });

  it("puts the secret text only in the answer file, never in boot configs", () => {
    for (const fam of ["debian", "ubuntu", "rhel"] as const) {
      const files = renderSystemFiles(input(fam));
      const hits = files.filter((f) => f.content.includes(SECRET_MARKER)).map((f) => f.path);
      expect(hits, fam).toEqual([fam === "ubuntu" ? "http/answers/web01/user-data" : "http/answers/web01.cfg"]);
    }
  });

  it("refuses names and MACs that would leave the provisioning root", () => {
    expect(() => renderSystemFiles(input("debian", { system: system({ name: "../etc" }) }))).toThrow(/cannot be used in a file name/);
    expect(() => renderSystemFiles(input("debian", { system: system({ interfaces: [nic({ mac: "52:54:00:12:34:01/../x" })] }) }))).toThrow(/normalised form/);
    expect(() => hostedImagePath("a/b", "linux")).toThrow(/cannot be used in a file name/);
  });

  it("refuses a MAC listed twice instead of writing one file over the other", () => {
    expect(() => renderSystemFiles(input("debian", { system: system({ interfaces: [nic(), nic({ name: "eth1" })] }) }))).toThrow(/written twice/);
  });

  it("exports the hosted image path the engine copies boot files to, and the kernel args", () => {
    expect(hostedImagePath("debian-12-amd64", "initrd")).toBe("tftp/images/debian-12-amd64/initrd");
    expect(installerKernelArgs(input("rhel"))[0]).toBe("inst.ks=http://10.0.2.2:8080/answers/web01.cfg");
  });
});
