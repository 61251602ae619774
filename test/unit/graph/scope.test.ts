import { describe, expect, it } from "vitest";
import { scopeAddresses, targetScope } from "../../../src/graph/scope.js";
import { loadStack } from "../../../src/stack/load.js";
import { REPO } from "../../helpers/stack.js";
import { join } from "node:path";

const stack = loadStack(join(REPO, "stacks/lab"));

describe("graph scope: what a targeted plan builds", () => {
  it("builds a targeted system, and a handoff's system, with their CM handoffs", () => {
    const scope = targetScope(stack, ["system.web01", "cm.ansible-site.db01", "profile.web"])!;
    expect([...scope.systems].sort()).toEqual(["db01", "web01"]);
    const addresses = scopeAddresses(stack, scope);
    expect(addresses).toEqual(expect.arrayContaining([
      "system.web01", "cm.puppet-prod.web01", "cm.ansible-site.web01", "system.db01", "cm.ansible-site.db01",
      "profile.web", "profile.base-debian", "distro.debian-12-amd64", "repo.debian-security",
    ]));
    expect(addresses.filter((a) => a.startsWith("system."))).toEqual(["system.web01", "system.db01"]);
  });

  it("needs every system for a CM index, the server or a loader", () => {
    for (const t of ["cm.ansible-site", `server.${stack.name}`, "loader.pxelinux.0"]) expect(targetScope(stack, ["system.web01", t]), t).toBeUndefined();
  });

  it("builds nothing for an untargeted plan or a system the stack no longer has", () => {
    expect(targetScope(stack, [])).toBeUndefined();
    const gone = targetScope(stack, ["system.retired01"])!;
    expect(scopeAddresses(stack, gone).filter((a) => a.startsWith("system."))).toEqual(["system.retired01"]);
  });
});
