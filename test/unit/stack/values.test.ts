/** Values the schema accepts but that are clearly wrong: each is refused by validate with file:line and a reason. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStack } from "../../../src/stack/load.js";
import { runCli, stackErrors, tempStacks } from "../../helpers/stack.js";

const stackWith = tempStacks();

const errorsOf = stackErrors;

const sys = (iface: string, extra = ""): Record<string, string> => ({
  "bad.yaml": `systems:\n  bad01:\n    profile: web\n    interfaces: [${iface}]\n${extra}`,
});

function withSettings(d: string, edit: (text: string) => string): void {
  const p = join(d, "stack.yaml");
  writeFileSync(p, edit(readFileSync(p, "utf8")));
}

describe("values that are accepted by the schema but wrong", () => {
  it.each([
    ['{mac: "00:00:00:00:00:00"}', /^bad\.yaml:4:\d+: systems\.bad01\.interfaces\[0\]\.mac: 00:00:00:00:00:00 is not a real network card's address$/],
    ['{mac: "ff:ff:ff:ff:ff:ff"}', /^bad\.yaml:4:\d+: systems\.bad01\.interfaces\[0\]\.mac: ff:ff:ff:ff:ff:ff is a multicast address/],
    ['{mac: "01:00:5e:00:00:01"}', /multicast address/],
    ['{mac: "52:54:00:aa:00:01", ip: 0.0.0.0/0}', /^bad\.yaml:4:\d+: systems\.bad01\.interfaces\[0\]\.ip: a \/0 prefix is the whole Internet/],
    ['{mac: "52:54:00:aa:00:01", ip: 10.9.0.0/24}', /ip: 10\.9\.0\.0 is the network address of 10\.9\.0\.0\/24/],
    ['{mac: "52:54:00:aa:00:01", ip: 10.9.0.255/24}', /ip: 10\.9\.0\.255 is the broadcast address/],
    ['{mac: "52:54:00:aa:00:01", ip: 10.9.0.5/24, gateway: 10.9.1.1}', /^bad\.yaml:4:\d+: systems\.bad01\.interfaces\[0\]\.gateway: the gateway 10\.9\.1\.1 is outside the interface's subnet 10\.9\.0\.5\/24$/],
    ['{mac: "52:54:00:aa:00:01", ip: 10.9.0.5/24, gateway: 10.9.0.5}', /gateway: the gateway 10\.9\.0\.5 is the interface's own address/],
  ])("interface %s", (iface, expected) => {
    const errs = errorsOf(stackWith(sys(iface)));
    expect(errs).toEqual([expect.stringMatching(expected)]);
  });

  it("a /31 point-to-point and a /32 host address are fine", () => {
    const d = stackWith({ "ok.yaml": 'systems:\n  p2p: {profile: web, interfaces: [{mac: "52:54:00:aa:00:01", ip: 10.9.0.0/31}]}\n  host: {profile: web, interfaces: [{mac: "52:54:00:aa:00:02", ip: 10.9.1.7/32}]}\n' });
    expect(() => loadStack(d)).not.toThrow();
  });

  it("a negative memoryMiB", () => {
    const errs = errorsOf(stackWith(sys('{mac: "52:54:00:aa:00:01"}', "    attributes: {memoryMiB: -4096}\n")));
    expect(errs).toEqual([expect.stringMatching(/^bad\.yaml:5:\d+: systems\.bad01\.attributes\.memoryMiB: expected a number above 0, found -4096$/)]);
  });

  it("duplicate hostnames name the first user", async () => {
    const d = stackWith({ "zz-bad.yaml": sys('{mac: "52:54:00:aa:00:01"}', "    hostname: web01.lab.example\n")["bad.yaml"] });
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^zz-bad\.yaml:5:\d+: systems\.bad01\.hostname: hostname web01\.lab\.example is already used by system web01 \(systems\.yaml:\d+\)$/)]);
    expect((await runCli(["validate", d])).code).toBe(1);
  });

  it("provisioningRoot: . and a root holding stack files", () => {
    const d = stackWith({});
    withSettings(d, (t) => t.replace(/provisioningRoot: \S+/, "provisioningRoot: ."));
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^stack\.yaml:\d+:\d+: provisioningRoot: "\." is the stack directory/)]);
    withSettings(d, (t) => t.replace(/provisioningRoot: \S+/, "provisioningRoot: overrides"));
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^stack\.yaml:\d+:\d+: provisioningRoot: "overrides" holds the stack file overrides\/ubuntu-noble\.yaml/)]);
  });

  it("a state path inside the provisioning root", () => {
    const d = stackWith({});
    withSettings(d, (t) => t.replace(/path: \.bootplan\/state\.json/, "path: .bootplan/root/http/state.json"));
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^stack\.yaml:\d+:\d+: state\.path: the state file \.bootplan\/root\/http\/state\.json lies inside the provisioning root/)]);
  });
});
