/**
 * The stack as a Pulumi program. Pulumi's engine needs the Pulumi CLI, which cannot be installed
 * here, so the program runs under Pulumi's own runtime mocks (setMocks), in plain Node from dist/
 * (vitest rewrites the providers' import() calls, which Pulumi must serialize untouched). It checks
 * what a user with the CLI gets — one dynamic resource per bootplan resource, with its inputs and
 * dependencies — not the providers themselves, which the serialization test runs for real.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prebuiltProviders } from "../../../src/pulumi/serialize-provider.js";
import { cleanup, REPO, tempStack } from "../../helpers/stack.js";

const dir = tempStack();
afterAll(() => cleanup(dir));

const script = `
  import * as pulumi from "@pulumi/pulumi";
  const registered = [];
  await pulumi.runtime.setMocks({
    newResource: (a) => { registered.push({ type: a.type, name: a.name, inputs: a.inputs }); return { id: a.name + "-id", state: a.inputs }; },
    call: (a) => a.inputs,
  }, "lab", "dev", false);
  const { declareBootplanResources } = await import(${JSON.stringify(join(REPO, "dist/pulumi/program.js"))});
  const resources = declareBootplanResources(process.argv[1]);
  await Promise.all([...resources.values()].map((r) => new Promise((res) => r.urn.apply(res))));
  process.stdout.write(JSON.stringify(registered));`;

describe("Pulumi program", () => {
  it("declares every bootplan resource as a dynamic resource, dependencies first", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, dir], { cwd: REPO, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = JSON.parse(r.stdout);
    const names = registered.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(["distro.debian-12-amd64", "profile.base-debian", "profile.web", "system.web01"]));
    expect(names.indexOf("profile.base-debian")).toBeLessThan(names.indexOf("profile.web"));
    expect(names.indexOf("profile.web")).toBeLessThan(names.indexOf("system.web01"));
    const web01 = registered.find((x) => x.name === "system.web01")!;
    expect(web01.type).toBe("pulumi-nodejs:dynamic/bootplan:system");
    expect(Object.keys(web01.inputs.files as object)).toContain("http/answers/web01.cfg");
    expect(JSON.stringify(web01.inputs)).toContain("__secrets");
    // pulumi.dynamic.Resource's own __provider input is, byte for byte, what the pulumi-host executor sends.
    const prebuilt = prebuiltProviders();
    for (const kind of ["system", "distro", "profile", "cm"]) {
      const declared = registered.find((x) => x.type === `pulumi-nodejs:dynamic/bootplan:${kind}`)!;
      expect(declared.inputs.__provider, kind).toBe(prebuilt[kind]);
    }
  });
});
