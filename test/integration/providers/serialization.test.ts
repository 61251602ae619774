/**
 * Provider serialization: Pulumi runs dynamic providers from text produced by its closure serializer,
 * in another process. Each provider is serialized here exactly as Pulumi does, loaded in a fresh Node
 * process, and made to create and diff a real resource there. Serializes the compiled dist/ (npm test builds it).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROVIDERS } from "../../../src/providers/index.js";
import { REPO } from "../../helpers/stack.js";
import { hasTool } from "../../unit/render/tools.js";

// The serialization itself runs in plain Node (serialize-provider.mjs): vitest rewrites import() in the
// modules it loads into a helper that Pulumi's serializer cannot capture. Here only the kinds are read.
// Inside the repository, so the serialized code's `import("bootplan/...")` resolves to this package.
const outDir = join(REPO, "test/.tmp/serialized");
const root = mkdtempSync(join(tmpdir(), "bootplan-ser-root-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const source = join(root, "..", `bootplan-ser-kernel-${process.pid}`);
writeFileSync(source, "fixture kernel\n");

const INPUTS: Record<string, Record<string, unknown>> = {
  system: { name: "web01", root, distro: "d", files: { "http/answers/web01.cfg": "rootpw ((secret:pw))\n" }, __secrets: { pw: "$6$hash" } },
  distro: { name: "d", root, kernel: { url: "http://mirror/linux" }, initrd: { source, sha256: "", target: "tftp/images/d/initrd" } },
  profile: { name: "web", packages: ["nginx"] },
  repo: { name: "epel", url: "https://mirror/epel" },
  cm: { name: "puppet-prod.web01", root, output: "cm/puppet-prod", class: { classes: ["role::web"] }, files: { "cm/puppet-prod/nodes/web01.lab.example.yaml": "---\nclasses:\n  - \"role::web\"\n" } },
  // libvirt's test driver: its built-in domain "test" is what the serialized guest provider reads back.
  guest: { exists: true, name: "test", uri: "test:///default", arch: "x86_64", memoryMiB: 1024, vcpus: 1, firmware: "bios", disks: [], network: "default", mac: "52:54:00:00:00:01" },
  server: { name: "lab", root, dhcp: "static", files: { "dnsmasq/dnsmasq.conf": "port=0\nenable-tftp\n", "http/boot.ipxe": "#!ipxe\n" } },
  loader: { name: "undionly.kpxe", root, package: "ipxe", loader: { source, sha256: "", target: "tftp/undionly.kpxe" } },
  "cm-index": { name: "ansible-site", root, output: "cm/ansible-site", nodes: { "web01.lab.example": "web01" }, files: { "cm/ansible-site/inventory.yaml": "---\nall:\n  hosts:\n    web01.lab.example:\n" } },
};

/** Loads serialized text in a fresh node process and runs create, then diff against changed inputs. */
function runSerialized(file: string, inputs: Record<string, unknown>): { id: string; outs: Record<string, unknown>; diff: { changes: boolean } } {
  const script = `
    const provider = require(${JSON.stringify(file)}).handler; // a factory function is already called by the serialized module
    (async () => {
      const inputs = JSON.parse(process.argv[1]);
      const created = await provider.create(inputs);
      const changed = { ...inputs, name: inputs.name, extra: "changed" };
      const diff = await provider.diff(created.id, created.outs, changed);
      process.stdout.write(JSON.stringify({ ...created, diff }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["-e", script, JSON.stringify(inputs)], { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`serialized provider failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe("provider serialization", () => {
  it("covers every resource kind", () => {
    expect(Object.keys(PROVIDERS).sort()).toEqual(Object.keys(INPUTS).sort());
  });

  // test:///default keeps no state between virsh processes, so the guest provider is run on read and diff below.
  it.each(Object.keys(INPUTS).filter((k) => k !== "guest"))("%s provider serializes with Pulumi's closure serializer and runs create and diff in a fresh process", async (kind) => {
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${kind}.cjs`);
    const ser = spawnSync(process.execPath, [join(REPO, "test/integration/providers/serialize-provider.mjs"), kind, file], { cwd: REPO, encoding: "utf8" });
    expect(ser.stderr).toBe("");
    expect(ser.status).toBe(0);

    const inputs = { ...INPUTS[kind] };
    if (kind === "distro" || kind === "loader") {
      const { createHash } = await import("node:crypto");
      (inputs[kind === "distro" ? "initrd" : "loader"] as { sha256: string }).sha256 = createHash("sha256").update(readFileSync(source)).digest("hex");
    }
    const r = runSerialized(file, inputs);
    expect(r.id).toBe(inputs.name);
    expect(r.diff.changes).toBe(true);
    expect(r.outs).not.toHaveProperty("__secrets");
    if (kind === "system") {
      expect(readFileSync(join(root, "http/answers/web01.cfg"), "utf8")).toBe("rootpw $6$hash\n");
      expect(JSON.stringify(r.outs)).not.toContain("$6$hash");
    }
    if (kind === "distro") expect(existsSync(join(root, "tftp/images/d/initrd"))).toBe(true);
    if (kind === "loader") expect(readFileSync(join(root, "tftp/undionly.kpxe"), "utf8")).toBe("fixture kernel\n");
    if (kind === "server") expect(readFileSync(join(root, "dnsmasq/dnsmasq.conf"), "utf8")).toBe("port=0\nenable-tftp\n");
    if (kind === "cm") expect(readFileSync(join(root, "cm/puppet-prod/nodes/web01.lab.example.yaml"), "utf8")).toContain("role::web");
    if (kind === "cm-index") expect(existsSync(join(root, "cm/ansible-site/inventory.yaml"))).toBe(true);
  });

  const virsh = hasTool("virsh") ? it : process.env.CI ? it : it.skip;
  if (!hasTool("virsh") && !process.env.CI) console.log("skipping the serialized guest provider: virsh is not installed (apt-get install libvirt-clients)");
  virsh("guest provider serializes and, in a fresh process, reads the real domain from libvirt and diffs resize vs disk change", () => {
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, "guest.cjs");
    const ser = spawnSync(process.execPath, [join(REPO, "test/integration/providers/serialize-provider.mjs"), "guest", file], { cwd: REPO, encoding: "utf8" });
    expect(ser.stderr).toBe("");
    const script = `
      const provider = require(${JSON.stringify(file)}).handler;
      (async () => {
        const inputs = JSON.parse(process.argv[1]);
        const read = await provider.read(inputs.name, inputs);
        const gone = await provider.read("absent", { ...inputs, name: "absent" });
        const resize = await provider.diff(inputs.name, inputs, { ...inputs, memoryMiB: 2048 });
        const disks = await provider.diff(inputs.name, inputs, { ...inputs, disks: [{ sizeGiB: 1, pool: "default" }] });
        process.stdout.write(JSON.stringify({ read, gone, resize, disks }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-e", script, JSON.stringify(INPUTS.guest)], { cwd: REPO, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.read.props).toMatchObject({ memoryMiB: 8192, vcpus: 2, mac: "aa:bb:cc:dd:ee:ff", observed: { state: "running" } });
    expect(out.gone).toMatchObject({ id: "", props: { exists: false } });
    expect(out.resize).toMatchObject({ changes: true, replaces: [] });
    expect(out.disks).toMatchObject({ changes: true, replaces: ["disks"] });
  });
});
