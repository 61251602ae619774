/**
 * Provider serialization: Pulumi ships a dynamic provider as the text its closure serializer makes
 * (`serializeFunction(() => provider, { allowSecrets: true })`, as `pulumi.dynamic.Resource` does) and
 * runs it in its dynamic-provider host (`require-from-string(text).handler()`). Each provider is
 * serialized that way here and driven in the real host over gRPC: create, then diff. Serializes the
 * compiled dist/ (npm test builds it).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPulumiHostExecutor, type PulumiHostExecutor } from "../../../src/executor/pulumi-host/executor.js";
import { PROVIDERS } from "../../../src/providers/index.js";
import { prebuiltProviders } from "../../../src/pulumi/serialize-provider.js";
import { REPO } from "../../helpers/stack.js";
import { hasTool } from "../../unit/render/tools.js";

// The serialization itself runs in plain Node (serialize-provider.mjs): vitest rewrites import() in the
// modules it loads into a helper that Pulumi's serializer cannot capture. Here only the kinds are read.
const outDir = join(REPO, "test/.tmp/serialized");
const root = mkdtempSync(join(tmpdir(), "bootplan-ser-root-"));
const source = join(root, "..", `bootplan-ser-kernel-${process.pid}`);
writeFileSync(source, "fixture kernel\n");

function serialize(kind: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${kind}.cjs`);
  const ser = spawnSync(process.execPath, [join(REPO, "test/integration/providers/serialize-provider.mjs"), kind, file], { cwd: REPO, encoding: "utf8" });
  if (ser.status !== 0 || ser.stderr) throw new Error(`serializing ${kind} failed: ${ser.stderr}`);
  return readFileSync(file, "utf8");
}

let host: PulumiHostExecutor;
const texts = new Map<string, string>();
beforeAll(async () => {
  for (const kind of Object.keys(PROVIDERS)) texts.set(kind, serialize(kind));
  host = await openPulumiHostExecutor({ stack: "ser", serialized: async (kind) => texts.get(kind)! });
});
afterAll(async () => {
  await host?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(source, { force: true });
});

const INPUTS: Record<string, Record<string, unknown>> = {
  // The root as state records it (relative), with the directory it resolves against as a plain runtime input.
  system: { name: "web01", root: basename(root), __runtime: { base: dirname(root) }, distro: "d", files: { "http/answers/web01.cfg": "rootpw ((secret:pw))\n" }, __secrets: { pw: "$6$hash" } },
  distro: { name: "d", root, kernel: { url: "http://mirror/linux" }, initrd: { source, sha256: createHash("sha256").update("fixture kernel\n").digest("hex"), target: "tftp/images/d/initrd" } },
  profile: { name: "web", packages: ["nginx"] },
  repo: { name: "epel", url: "https://mirror/epel" },
  cm: { name: "puppet-prod.web01", root, output: "cm/puppet-prod", class: { classes: ["role::web"] }, files: { "cm/puppet-prod/nodes/web01.lab.example.yaml": "---\nclasses:\n  - \"role::web\"\n" } },
  // libvirt's test driver: its built-in domain "test" is what the serialized guest provider reads back.
  guest: { exists: true, name: "test", uri: "test:///default", arch: "x86_64", memoryMiB: 1024, vcpus: 1, firmware: "bios", disks: [], network: "default", mac: "52:54:00:00:00:01" },
  server: { name: "lab", root, dhcp: "static", files: { "dnsmasq/dnsmasq.conf": "port=0\nenable-tftp\n", "http/boot.ipxe": "#!ipxe\n" } },
  loader: { name: "undionly.kpxe", root, package: "ipxe", loader: { source, sha256: createHash("sha256").update("fixture kernel\n").digest("hex"), target: "tftp/undionly.kpxe" } },
  "cm-index": { name: "ansible-site", root, output: "cm/ansible-site", nodes: { "web01.lab.example": "web01" }, files: { "cm/ansible-site/inventory.yaml": "---\nall:\n  hosts:\n    web01.lab.example:\n" } },
};

describe("provider serialization", () => {
  it("covers every resource kind", () => {
    expect(Object.keys(PROVIDERS).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  it("is the module form Pulumi's host loads: require-from-string(text).handler() returns the provider", () => {
    const requireFromString = createRequire(join(REPO, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"))("require-from-string") as (code: string) => { handler: () => Record<string, unknown> };
    for (const [kind, text] of texts) {
      const provider = requireFromString(text).handler();
      expect(Object.keys(provider).sort(), kind).toEqual(["check", "create", "delete", "diff", "read", "update"]);
    }
  });

  it("matches the build's prebuilt texts, which the pulumi-host executor sends", () => {
    const prebuilt = prebuiltProviders();
    for (const [kind, text] of texts) expect(prebuilt[kind], kind).toBe(text);
  });

  // test:///default keeps no state between virsh processes: the guest provider is run on read and diff below.
  it.each(Object.keys(INPUTS).filter((k) => k !== "guest"))("%s provider, serialized as pulumi.dynamic.Resource does, runs create and diff in Pulumi's dynamic-provider host", async (kind) => {
    const provider = host.provider(kind, `${kind}.${String(INPUTS[kind].name)}`);
    const inputs = INPUTS[kind];
    const created = await provider.create(inputs);
    expect(created.id).toBe(inputs.name);
    expect(created.outs).not.toHaveProperty("__secrets");
    expect(created.outs).not.toHaveProperty("__provider");
    const { __secrets: _s, ...recorded } = inputs;
    expect(await provider.diff(created.id, created.outs!, recorded)).toMatchObject({ changes: false });
    expect(await provider.diff(created.id, created.outs!, { ...recorded, extra: "changed" })).toMatchObject({ changes: true, replaces: [] });
    if ("root" in inputs) {
      expect(await provider.diff(created.id, created.outs!, { ...recorded, root: `${root}-moved` })).toMatchObject({ changes: true, replaces: ["root"], deleteBeforeReplace: true });
    }
    expect(created.outs).not.toHaveProperty("__runtime");
    if (kind === "system") {
      expect(readFileSync(join(root, "http/answers/web01.cfg"), "utf8")).toBe("rootpw $6$hash\n");
      expect(JSON.stringify(created.outs)).not.toContain("$6$hash");
    }
    if (kind === "distro") expect(existsSync(join(root, "tftp/images/d/initrd"))).toBe(true);
    if (kind === "loader") expect(readFileSync(join(root, "tftp/undionly.kpxe"), "utf8")).toBe("fixture kernel\n");
    if (kind === "server") expect(readFileSync(join(root, "dnsmasq/dnsmasq.conf"), "utf8")).toBe("port=0\nenable-tftp\n");
    if (kind === "cm") expect(readFileSync(join(root, "cm/puppet-prod/nodes/web01.lab.example.yaml"), "utf8")).toContain("role::web");
    if (kind === "cm-index") expect(existsSync(join(root, "cm/ansible-site/inventory.yaml"))).toBe(true);
  });

  const virsh = hasTool("virsh") ? it : process.env.CI ? it : it.skip;
  if (!hasTool("virsh") && !process.env.CI) console.log("skipping the serialized guest provider: virsh is not installed (apt-get install libvirt-clients)");
  virsh("guest provider, serialized as pulumi.dynamic.Resource does, reads the real domain from libvirt in Pulumi's host and diffs resize vs disk change", async () => {
    const provider = host.provider("guest", "guest.test");
    const inputs = INPUTS.guest;
    const read = await provider.read(String(inputs.name), inputs);
    const gone = await provider.read("absent", { ...inputs, name: "absent" });
    expect(read.props).toMatchObject({ memoryMiB: 8192, vcpus: 2, mac: "aa:bb:cc:dd:ee:ff", observed: { state: "running" } });
    expect(gone.props).toMatchObject({ exists: false });
    expect(await provider.diff(String(inputs.name), inputs, { ...inputs, memoryMiB: 2048 })).toMatchObject({ changes: true, replaces: [] });
    expect(await provider.diff(String(inputs.name), inputs, { ...inputs, disks: [{ sizeGiB: 1, pool: "default" }] })).toMatchObject({ changes: true, replaces: ["disks"] });
  });
});
