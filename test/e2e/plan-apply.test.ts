/** Plan and apply on the lab stack as a user runs them: create, no-op, update, replace, delete, destroy. */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validators } from "../../src/util/validators.js";
import { editStackFile, EXECUTOR_CASES, tempStacks, useExecutor } from "../helpers/stack.js";

const labs = tempStacks();

const root = (d: string, rel = ""): string => join(d, ".bootplan/root", rel);
const state = (d: string): { serial: number; lineage: string; resources: Record<string, { outputs: Record<string, unknown> }> } =>
  JSON.parse(readFileSync(join(d, ".bootplan/state.json"), "utf8"));

/** Every file under the provisioning root with its inode and mtime, to see exactly what a run rewrote. */
function snapshot(d: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(abs, e.name), r);
      else {
        const st = statSync(join(abs, e.name), { bigint: true });
        out.set(r, `${st.ino}:${st.mtimeNs}`);
      }
    }
  };
  walk(root(d), "");
  return out;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

describe.each(EXECUTOR_CASES)("plan and apply through the $executor executor", ({ executor, cli: runCli }) => {
  const lab = (): string => useExecutor(labs(), executor);
  async function apply(d: string, ...extra: string[]) {
    const r = await runCli(["apply", d, "--auto-approve", "--no-color", ...extra]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r;
  }

  it("plans creates, applies them into the root, then plans no changes (exit 0 with --detailed-exitcode)", async () => {
    const d = lab();
    const first = await runCli(["plan", d, "--detailed-exitcode"]);
    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(/\+ system\.web01\n/);
    expect(first.stdout.trim().split("\n").at(-1)).toMatch(/^Plan: \d+ to add, 0 to change, 0 to replace, 0 to destroy\.$/);
    expect(existsSync(join(d, ".bootplan/state.json"))).toBe(false);

    const a = await apply(d);
    expect(a.stdout).toMatch(/system\.web01: created/);
    expect(a.stdout).toMatch(/^Apply complete: \d+ added, 0 changed, 0 replaced, 0 destroyed\.$/m);
    for (const f of ["tftp/pxelinux.cfg/01-52-54-00-12-34-01", "tftp/grub/grub.cfg-01-52-54-00-12-34-01", "http/ipxe/52-54-00-12-34-01.ipxe", "http/answers/web01.cfg", "tftp/images/debian-12-amd64/linux"]) {
      expect(existsSync(root(d, f)), f).toBe(true);
    }
    const again = await runCli(["plan", d, "--detailed-exitcode"]);
    expect(again).toMatchObject({ code: 0, stdout: "No changes.\n" });
  });

  it("writes the root password hash only into the answer file, never into state or plan output", async () => {
    const d = lab();
    const hash = readFileSync(join(d, "secrets/demo-root-password.hash"), "utf8").trim();
    const plan = await runCli(["plan", d, "--json"]);
    expect(plan.stdout).not.toContain(hash);
    await apply(d);
    expect(readFileSync(root(d, "http/answers/web01.cfg"), "utf8")).toContain(`passwd/root-password-crypted password ${hash}`);
    expect(readFileSync(join(d, ".bootplan/state.json"), "utf8")).not.toContain(hash);
    const show = await runCli(["state", "show", d, "system.web01"]);
    // The state keeps the answer file's digest (of its text with the secret as a marker) and the secret's keyed digest.
    expect(show.stdout).toMatch(/"http\/answers\/web01\.cfg": "[A-Za-z0-9_-]{43}"/);
    expect(show.stdout).toMatch(/"root-password": "hmac-sha256:[0-9a-f]{64}"/);
    expect(show.stdout).not.toContain(hash);
  });

  it("shows a changed profile as the unified diff of each affected answer file and rewrites only those", async () => {
    const d = lab();
    await apply(d);
    const before = snapshot(d);
    editStackFile(d, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");
    const plan = await runCli(["plan", d, "--detailed-exitcode", "--no-color"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("~ profile.web\n");
    expect(plan.stdout).toMatch(/~ system\.web01\n[\s\S]*--- a\/http\/answers\/web01\.cfg\n\s+\+\+\+ b\/http\/answers\/web01\.cfg\n[\s\S]*-d-i pkgsel\/include string openssh-server curl nginx\n\s+\+d-i pkgsel\/include string openssh-server curl nginx certbot\n/);
    expect(plan.stdout).not.toMatch(/system\.db01/);
    expect(plan.stdout).toMatch(/Plan: 0 to add, 3 to change, 0 to replace, 0 to destroy\.\n$/);
    await apply(d);
    expect(changed(before, snapshot(d)).filter((p) => !p.startsWith("cm/"))).toEqual(["http/answers/web01.cfg", "http/answers/web02.cfg"]);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });

  it("replaces (reinstalls) a system whose distro changes, and moves its files when its profile does", async () => {
    const d = lab();
    await apply(d);
    editStackFile(d, "systems.yaml", /(web02:\n\s+profile: )web/, "$1db");
    const plan = await runCli(["plan", d, "--no-color"]);
    expect(plan.stdout).toMatch(/-\/\+ system\.web02 \(reinstall: distro changed\)/);
    expect(plan.stdout).toMatch(/distro: "debian-12-amd64" -> "rocky-9-x86_64"/);
    expect(plan.stdout).toMatch(/Plan: 0 to add, \d+ to change, 1 to replace, 0 to destroy\./);
    await apply(d);
    expect(readFileSync(root(d, "http/answers/web02.cfg"), "utf8")).toMatch(/^%packages/m);
  });

  it("removes a deleted system's files and nothing else", async () => {
    const d = lab();
    await apply(d);
    const before = snapshot(d);
    const text = readFileSync(join(d, "systems.yaml"), "utf8");
    writeFileSync(join(d, "systems.yaml"), text.replace(/\n  web02:\n(?: {4}.*\n)+/, "\n"));
    const plan = await runCli(["plan", d, "--no-color"]);
    expect(plan.stdout).toMatch(/- system\.web02 \(last declared in systems\.yaml, no longer declared\)\n/);
    expect(plan.stdout).toMatch(/Plan: 0 to add, \d+ to change, 0 to replace, \d+ to destroy\./);
    await apply(d);
    // Provisioning files only; the CM handoff artifacts have their own tests. dnsmasq stops answering web02's MAC.
    expect(changed(before, snapshot(d)).filter((p) => !p.startsWith("cm/"))).toEqual([
      "dnsmasq/dnsmasq.conf", "http/answers/web02.cfg", "http/ipxe/52-54-00-12-34-02.ipxe", "tftp/grub/grub.cfg-01-52-54-00-12-34-02", "tftp/pxelinux.cfg/01-52-54-00-12-34-02",
    ]);
    expect(existsSync(root(d, "http/answers/web02.cfg"))).toBe(false);
    expect(state(d).resources["system.web02"]).toBeUndefined();
  });

  it("boots the local disk for a system with netboot: false", async () => {
    const d = lab();
    await apply(d);
    expect(readFileSync(root(d, "tftp/pxelinux.cfg/01-52-54-00-12-34-05"), "utf8")).toMatch(/LOCALBOOT 0/);
    expect(readFileSync(root(d, "tftp/pxelinux.cfg/01-52-54-00-12-34-05"), "utf8")).not.toMatch(/KERNEL/);
  });

  it("limits a plan to --target and its dependencies", async () => {
    const d = lab();
    const plan = await runCli(["plan", d, "--target", "system.web01", "--json"]);
    const addresses = JSON.parse(plan.stdout).changes.map((c: { address: string }) => c.address);
    expect(addresses).toEqual(["distro.debian-12-amd64", "profile.base-debian", "profile.web", "repo.debian-security", "system.web01"]);
    const bad = await runCli(["plan", d, "--target", "system.nope"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: --target system\.nope: no such resource/);
  });

  it("destroys everything it recorded", async () => {
    const d = lab();
    await apply(d);
    const r = await runCli(["destroy", d, "--auto-approve", "--no-color"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Plan: 0 to add, 0 to change, 0 to replace, \d+ to destroy\./);
    expect(Object.keys(state(d).resources)).toEqual([]);
    expect(existsSync(root(d, "http/answers/web01.cfg"))).toBe(false);
  });

  it("prints JSON that validates against schemas/plan.schema.json, and a Markdown PR comment", async () => {
    const d = lab();
    const json = JSON.parse((await runCli(["plan", d, "--json"])).stdout);
    const validate = validators("plan").doc;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.summary.add).toBeGreaterThan(0);
    const md = (await runCli(["plan", d, "--markdown"])).stdout;
    expect(md).toMatch(/^<!-- bootplan:plan stack=lab -->\n### bootplan plan for `lab`\n\n\*\*Plan: \d+ to add, 0 to change, 0 to replace, 0 to destroy\.\*\*/);
    expect(md).toContain("| + to add | 29 |");
  });

  it("refuses to apply without --auto-approve when there is no terminal", async () => {
    const d = lab();
    const r = await runCli(["apply", d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: bootplan apply needs --auto-approve when not run from a terminal/);
    expect(existsSync(join(d, ".bootplan/state.json"))).toBe(false);
  });
});
