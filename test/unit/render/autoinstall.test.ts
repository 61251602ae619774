import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderAnswerFiles } from "../../../src/render/answer/index.js";
import { dhcpNic, input, nic, profile, repo, system, SECRET_MARKER } from "./factories.js";

type Doc = { autoinstall: Record<string, any> };
const files = (inp: ReturnType<typeof input>) => Object.fromEntries(renderAnswerFiles(inp).map((f) => [f.path, f.content]));
const userData = (inp: ReturnType<typeof input>) => files(inp)["http/answers/web01/user-data"];

describe("autoinstall user-data", () => {
  it("is #cloud-config YAML with autoinstall version 1, identity and the secret as password", () => {
    const text = userData(input("ubuntu"));
    expect(text.split("\n")[0]).toBe("#cloud-config");
    const doc = parse(text) as Doc;
    expect(doc.autoinstall.version).toBe(1);
    expect(doc.autoinstall.identity).toEqual({ hostname: "web01", username: "ubuntu", password: SECRET_MARKER });
    expect(text.split(SECRET_MARKER).length - 1).toBe(1);
    expect(doc.autoinstall.storage).toEqual({ layout: { name: "lvm" } });
    expect(doc.autoinstall.ssh).toEqual({ "install-server": true });
  });

  it("matches every interface by MAC: named ones with set-name and static addresses, others by id with DHCP", () => {
    const inp = input("ubuntu", { system: system({ interfaces: [nic(), dhcpNic()] }) });
    const eth = (parse(userData(inp)) as Doc).autoinstall.network;
    expect(eth).toEqual({
      version: 2,
      ethernets: {
        eth0: { match: { macaddress: "52:54:00:12:34:01" }, "set-name": "eth0", addresses: ["10.0.2.15/24"], routes: [{ to: "default", via: "10.0.2.2" }], nameservers: { addresses: ["10.0.2.3"] } },
        id1: { match: { macaddress: "52:54:00:12:34:02" }, dhcp4: true },
      },
    });
  });

  it("lists packages, the install tree as primary mirror and one apt source per repo", () => {
    const doc = parse(userData(input("ubuntu", { repos: [repo("ppa", { suite: "noble", components: ["main"] })] }))) as Doc;
    expect(doc.autoinstall.packages).toEqual(["openssh-server", "curl"]);
    expect(doc.autoinstall.apt.primary).toEqual([{ arches: ["default"], uri: "http://archive.ubuntu.com/ubuntu" }]);
    expect(doc.autoinstall.apt.sources).toEqual({ "ppa.list": { source: "deb http://repo.example/ppa noble main" } });
  });

  it("uses user-data instead of identity when there is no password (subiquity needs one of them)", () => {
    const doc = parse(userData(input("ubuntu", { profile: profile("autoinstall", { rootPassword: undefined }) }))) as Doc;
    expect(doc.autoinstall.identity).toBeUndefined();
    expect(doc.autoinstall["user-data"]).toEqual({ hostname: "web01", fqdn: "web01.lab.example" });
  });

  it("keeps YAML-special values as plain data", () => {
    const evil = ["a: b", "- x", "#c", "\"q\"", "line\nkey: injected", "\u0085nel", "{x}"];
    const doc = parse(userData(input("ubuntu", { packages: evil, secretText: { "root-password": "$6$x: 'y\" #z" } }))) as Doc;
    expect(doc.autoinstall.packages).toEqual(evil);
    expect(doc.autoinstall.identity.password).toBe("$6$x: 'y\" #z");
    expect(Object.keys(doc.autoinstall)).not.toContain("key");
  });
});

describe("autoinstall meta-data", () => {
  it("parses and names the instance and the short hostname", () => {
    expect(parse(files(input("ubuntu"))["http/answers/web01/meta-data"])).toEqual({ "instance-id": "web01", "local-hostname": "web01" });
  });
});
