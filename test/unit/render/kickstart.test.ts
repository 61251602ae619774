// There is no ksvalidator (pykickstart) package in Debian 12, so these tests check the structure against
// the documented RHEL 9 kickstart rules: known commands, one %packages ... %end, option forms.
import { describe, expect, it } from "vitest";
import { renderAnswerFiles } from "../../../src/render/answer/index.js";
import { dhcpNic, input, profile, repo, system, SECRET_MARKER } from "./factories.js";

const KNOWN = new Set(["text", "lang", "keyboard", "timezone", "network", "rootpw", "url", "repo", "zerombr", "clearpart", "autopart", "bootloader", "reboot"]);
const ks = (inp: ReturnType<typeof input>) => renderAnswerFiles(inp)[0].content;

/** Splits a kickstart into command lines and the %packages body, failing on anything unknown. */
function parse(text: string): { commands: string[]; packages: string[] } {
  const commands: string[] = [];
  const packages: string[] = [];
  let section: string | undefined;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (line === "%end") { expect(section).toBeDefined(); section = undefined; continue; }
    if (line.startsWith("%")) { expect(section).toBeUndefined(); section = line; continue; }
    if (section === "%packages") packages.push(line);
    else {
      expect(KNOWN.has(line.split(" ")[0]), `unknown command: ${line}`).toBe(true);
      commands.push(line);
    }
  }
  expect(section).toBeUndefined();
  return { commands, packages };
}

describe("kickstart answer file", () => {
  it("has only known commands and exactly one %packages ... %end with the packages", () => {
    const text = ks(input("rhel", { repos: [repo("epel", { suite: undefined })] }));
    const { commands, packages } = parse(text);
    expect(text.match(/^%packages$/gm)).toHaveLength(1);
    expect(text.match(/^%end$/gm)).toHaveLength(1);
    expect(packages).toEqual(["openssh-server", "curl"]);
    expect(commands).toEqual(expect.arrayContaining(["text", "lang en_US.UTF-8", "timezone Etc/UTC --utc", "zerombr", "clearpart --all --initlabel", "autopart", "bootloader", "reboot",
      "url --url=http://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os", "repo --name=epel --baseurl=http://repo.example/epel"]));
  });

  it("writes a static network line per interface by MAC, DHCP for the others, hostname once", () => {
    const { commands } = parse(ks(input("rhel", { system: system({ interfaces: [{ ...system().interfaces[0], dns: ["10.0.2.3", "1.1.1.1"] }, dhcpNic()] }) })));
    const network = commands.filter((c) => c.startsWith("network "));
    expect(network).toEqual([
      "network --device=52:54:00:12:34:01 --bootproto=static --ip=10.0.2.15 --netmask=255.255.255.0 --gateway=10.0.2.2 --nameserver=10.0.2.3,1.1.1.1 --hostname=web01.lab.example --activate",
      "network --device=52:54:00:12:34:02 --bootproto=dhcp",
    ]);
  });

  it("puts the root password text only in rootpw --iscrypted", () => {
    const text = ks(input("rhel"));
    expect(text.split(SECRET_MARKER).length - 1).toBe(1);
    expect(parse(text).commands).toContain(`rootpw --iscrypted ${SECRET_MARKER}`);
  });

  it("locks root when the profile sets no password", () => {
    const { commands } = parse(ks(input("rhel", { profile: profile("kickstart", { rootPassword: undefined }) })));
    expect(commands.filter((c) => c.startsWith("rootpw"))).toEqual(["rootpw --lock"]);
  });

  it("shell-quotes values the way pykickstart's shlex reads them", () => {
    const text = ks(input("rhel", { secretText: { "root-password": "a b#'c" } }));
    expect(text).toContain(`rootpw --iscrypted 'a b#'"'"'c'`);
  });

  it("refuses a package name that would inject a line after %end", () => {
    expect(() => ks(input("rhel", { packages: ["vim\n%end\n%post\nrm -rf /"] }))).toThrow(/newline or control character/);
  });
});
