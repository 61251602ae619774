import { describe, expect, it } from "vitest";
import { renderAnswerFiles } from "../../../src/render/answer/index.js";
import { dhcpNic, input, profile, repo, system, SECRET_MARKER } from "./factories.js";
import { requireTool, runOnFile } from "./tools.js";

const itDebconf = requireTool("debconf-set-selections", "apt-get install debconf");
const preseed = (inp: ReturnType<typeof input>) => renderAnswerFiles(inp)[0].content;
const checkonly = (text: string) => runOnFile("debconf-set-selections", ["--checkonly"], text);
const lines = (text: string) => text.split("\n").filter((l) => l && !l.startsWith("#"));

describe("preseed answer file", () => {
  itDebconf("passes debconf-set-selections --checkonly with static networking and several repos", () => {
    const inp = input("debian", { repos: [repo("security", { suite: "bookworm-security", components: ["main"] }), repo("extra", { gpgKey: "https://repo.example/key.asc" }), repo("flat", { suite: undefined, components: [] })] });
    const r = checkonly(preseed(inp));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  itDebconf("passes debconf-set-selections --checkonly with DHCP and no root password", () => {
    const inp = input("debian", { system: system({ hostname: "solo", interfaces: [dhcpNic()] }), profile: profile("preseed", { rootPassword: undefined }) });
    const r = checkonly(preseed(inp));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("configures static networking from the first interface with an address", () => {
    const l = lines(preseed(input("debian")));
    expect(l).toEqual(expect.arrayContaining([
      "d-i netcfg/disable_autoconfig boolean true",
      "d-i netcfg/get_ipaddress string 10.0.2.15",
      "d-i netcfg/get_netmask string 255.255.255.0",
      "d-i netcfg/get_gateway string 10.0.2.2",
      "d-i netcfg/get_nameservers string 10.0.2.3",
      "d-i netcfg/confirm_static boolean true",
      "d-i netcfg/get_hostname string web01",
      "d-i netcfg/get_domain string lab.example",
    ]));
  });

  it("leaves networking to DHCP when no interface has an address", () => {
    const text = preseed(input("debian", { system: system({ interfaces: [dhcpNic()] }) }));
    expect(text).not.toMatch(/disable_autoconfig|get_ipaddress/);
  });

  it("writes the mirror from the install tree and one apt-setup/localN per repo, in order", () => {
    const inp = input("debian", { repos: [repo("a"), repo("b", { suite: "bookworm-backports", components: ["main"], gpgKey: "https://b.example/key.asc" })] });
    const l = lines(preseed(inp));
    expect(l).toEqual(expect.arrayContaining([
      "d-i mirror/http/hostname string deb.debian.org",
      "d-i mirror/http/directory string /debian",
      "d-i apt-setup/local0/repository string deb http://repo.example/a bookworm main contrib",
      "d-i apt-setup/local1/repository string deb http://repo.example/b bookworm-backports main",
      "d-i apt-setup/local1/key string https://b.example/key.asc",
      "d-i pkgsel/include string openssh-server curl",
      "d-i finish-install/reboot_in_progress note",
    ]));
    expect(l.some((x) => x.startsWith("d-i apt-setup/local0/key"))).toBe(false);
  });

  it("puts the root password text only in passwd/root-password-crypted", () => {
    const text = preseed(input("debian"));
    expect(text.split(SECRET_MARKER).length - 1).toBe(1);
    expect(lines(text)).toContain(`d-i passwd/root-password-crypted password ${SECRET_MARKER}`);
  });

  it("refuses a package name that would inject a debconf line", () => {
    expect(() => preseed(input("debian", { packages: ["curl\nd-i partman/confirm boolean false"] }))).toThrow(/newline or control character/);
  });
});
