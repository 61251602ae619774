/**
 * Guests end to end against a real libvirtd (session mode, qemu driver with TCG) started by this test:
 * the CLI plans and applies a guest, which libvirt defines and starts booting from the network; a
 * resize is an in-place update; a changed disk layout a replace; a guest changed or deleted by hand is
 * what the provider's read reports; removing the guest from the stack removes domain and disks.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { guestProvider } from "../../../src/providers/guest.js";
import { diffProps } from "../../../src/providers/diff.js";
import { GUEST_REPLACE_ON } from "../../../src/providers/guest.js";
import { describeWithService, startLibvirtd, type Libvirtd } from "../../helpers/services.js";
import { cleanup, runBin, tempStack } from "../../helpers/stack.js";

const lv = await startLibvirtd().catch((e: Error) => e);

function machines(uri: string, pool: string, guest: { memoryMiB: number; vcpus: number; disks: number[] } | undefined): string {
  if (!guest) return "systems: {}\n";
  return [
    "guests:",
    "  vm01:",
    `    hypervisor: "${uri}"`,
    "    profile: base-debian",
    `    memoryMiB: ${guest.memoryMiB}`,
    `    vcpus: ${guest.vcpus}`,
    `    disks: [${guest.disks.map((s) => `{sizeGiB: ${s}, pool: ${pool}}`).join(", ")}]`,
    "    network: user",
    "",
  ].join("\n");
}

describeWithService("guests on a real libvirtd (qemu, TCG)", lv, () => {
  const v = lv as Libvirtd;
  let dir: string;
  const write = (g: Parameters<typeof machines>[2]) => {
    writeFileSync(join(dir, "machines.yaml"), machines(v.uri, v.pool, g));
  };
  const state = () => JSON.parse(readFileSync(join(dir, ".bootplan/state.json"), "utf8")) as { resources: Record<string, { id: string; outputs: Record<string, unknown> }> };

  beforeAll(() => {
    dir = tempStack({}, "virt-example");
  });
  afterAll(async () => {
    cleanup(dir);
    await v.stop();
  });

  it("plans + guest.vm01, applies, and libvirt has the domain defined and running, booting from the network", () => {
    write({ memoryMiB: 256, vcpus: 1, disks: [1] });
    const plan = runBin(["plan", dir]);
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain("+ guest.vm01");
    expect(plan.stdout).toContain("+ system.vm01");
    const apply = runBin(["apply", dir, "--auto-approve"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);

    expect(v.virsh("domstate", "vm01").stdout.trim()).toBe("running");
    const xml = v.virsh("dumpxml", "vm01").stdout;
    const mac = state().resources["guest.vm01"].outputs.mac as string;
    expect(xml).toContain(`<mac address='${mac}'/>`);
    expect(xml).toMatch(/<boot dev='network'\/>\s*<boot dev='hd'\/>/);
    expect(v.virsh("vol-info", "--pool", v.pool, "vm01-disk0.qcow2").status).toBe(0);
    // The guest is also a system: its boot config is written for the MAC libvirt gave the domain.
    expect(existsSync(join(dir, ".bootplan/root/tftp/pxelinux.cfg", `01-${mac.replace(/:/g, "-")}`))).toBe(true);
    expect(runBin(["plan", dir, "--detailed-exitcode"]).code).toBe(0);
  });

  it("a repeated no-op plan answered from the plan memo still asks libvirt, and sees a guest changed by hand", () => {
    // The no-op plan above kept its memo; a marker in it shows when a plan is answered from it.
    const memoFile = join(dir, ".bootplan/state.json.plan-memo");
    const memo = JSON.parse(readFileSync(memoFile, "utf8"));
    expect(memo.live).toContain("guest.vm01");
    memo.plan.warnings.push("(from the memo)");
    writeFileSync(memoFile, JSON.stringify(memo));
    expect(runBin(["plan", dir]).stdout).toContain("(from the memo)");
    expect(v.virsh("setmaxmem", "vm01", "320M", "--config").status).toBe(0);
    const plan = runBin(["plan", dir]);
    expect(plan.stdout).not.toContain("(from the memo)");
    expect(plan.stdout).toMatch(/~ guest\.vm01 \(changed outside bootplan/);
    expect(v.virsh("setmaxmem", "vm01", "256M", "--config").status).toBe(0);
    expect(runBin(["plan", dir, "--detailed-exitcode"]).code).toBe(0);
  });

  it("a resize is an in-place update: same domain, new memory and vCPUs", () => {
    const uuid = v.virsh("domuuid", "vm01").stdout.trim();
    write({ memoryMiB: 384, vcpus: 2, disks: [1] });
    const plan = runBin(["plan", dir]);
    expect(plan.stdout).toContain("~ guest.vm01");
    expect(plan.stdout).toMatch(/memoryMiB: 256 -> 384/);
    // The guest's system half changes too (its attributes follow memory and vCPUs), rewriting no file.
    expect(plan.stdout).toMatch(/~ system\.vm01\n\s+attributes\.cpus: 1 -> 2\n\s+attributes\.memoryMiB: 256 -> 384\n\n/);
    expect(plan.stdout).toContain("Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy.");
    expect(runBin(["apply", dir, "--auto-approve"]).code).toBe(0);
    const xml = v.virsh("dumpxml", "--inactive", "vm01").stdout;
    expect(xml).toContain("<memory unit='KiB'>393216</memory>");
    expect(xml).toMatch(/<vcpu[^>]*>2<\/vcpu>/);
    expect(v.virsh("domuuid", "vm01").stdout.trim()).toBe(uuid);
  });

  it("bootplan power turns a guest off and on through its hypervisor", () => {
    expect(runBin(["power", "guest.vm01", "status", dir]).stdout).toBe("guest.vm01: power on\n");
    const off = runBin(["power", "guest.vm01", "off", dir]);
    expect(off.stderr).toBe("");
    expect(off.stdout).toBe("guest.vm01: power off done; power is off\n");
    expect(v.virsh("domstate", "vm01").stdout.trim()).toBe("shut off");
    expect(runBin(["power", "guest.vm01", "on", dir]).stdout).toBe("guest.vm01: power on done; power is on\n");
    expect(v.virsh("domstate", "vm01").stdout.trim()).toBe("running");
  });

  it("read reports a guest resized by hand", async () => {
    const rec = state().resources["guest.vm01"];
    expect(v.virsh("setmaxmem", "vm01", "512M", "--config").status).toBe(0);
    const resized = await guestProvider.read(rec.id, rec.outputs);
    expect(resized.props).toMatchObject({ exists: true, memoryMiB: 512, vcpus: 2, mac: rec.outputs.mac, observed: { state: "running" } });
    expect(diffProps(resized.props!, rec.outputs, GUEST_REPLACE_ON)).toMatchObject({ changes: true, replaces: [] });
  });

  // `bootplan drift` is built on the providers' read by issue #8; these run once it is part of bootplan.
  const hasDrift = runBin(["help", "drift"]).code === 0;
  if (!hasDrift) console.log("skipping the drift checks of guests: this bootplan has no drift command yet (issue #8)");
  it.skipIf(!hasDrift)("drift reports the resize", () => {
    const d = runBin(["drift", dir]);
    expect(d.code).toBe(2);
    expect(d.stdout).toMatch(/~ guest\.vm01\n\s+memoryMiB: 384 recorded, 512 now\n/);
  });

  it("read reports a guest deleted by hand as gone", async () => {
    const rec = state().resources["guest.vm01"];
    expect(v.virsh("destroy", "vm01").status).toBe(0);
    expect(v.virsh("undefine", "vm01").status).toBe(0);
    const gone = await guestProvider.read(rec.id, rec.outputs);
    expect(gone.id).toBe("");
    expect(gone.props).toMatchObject({ exists: false, observed: { state: "missing" } });
    expect(diffProps(gone.props!, rec.outputs, GUEST_REPLACE_ON).replaces).toEqual(["exists"]);
  });

  it.skipIf(!hasDrift)("drift reports the deletion, and plan recreates the guest", () => {
    const d = runBin(["drift", dir]);
    expect(d.code).toBe(2);
    expect(d.stdout).toMatch(/~ guest\.vm01\n\s+exists: true recorded, false now\n/);
    expect(runBin(["plan", dir]).stdout).toMatch(/-\/\+ guest\.vm01 \(changed outside bootplan; exists changed\)/);
  });

  it("a changed disk layout replaces the guest; removing it from the stack deletes domain and disks", () => {
    // Bring it back first (it was deleted by hand above): a fresh state-free apply would recreate it.
    write({ memoryMiB: 384, vcpus: 2, disks: [1, 2] });
    const plan = runBin(["plan", dir]);
    expect(plan.stdout).toContain("-/+ guest.vm01");
    expect(plan.stdout).toContain("disks changed");
    const apply = runBin(["apply", dir, "--auto-approve"]);
    expect(apply.stderr).toBe("");
    expect(v.virsh("domstate", "vm01").stdout.trim()).toBe("running");
    expect(v.virsh("vol-info", "--pool", v.pool, "vm01-disk1.qcow2").status).toBe(0);

    write(undefined);
    const del = runBin(["plan", dir]);
    expect(del.stdout).toContain("- guest.vm01");
    expect(runBin(["apply", dir, "--auto-approve"]).code).toBe(0);
    expect(v.virsh("domstate", "vm01").status).not.toBe(0);
    expect(v.virsh("vol-list", v.pool).stdout).not.toContain("vm01-disk");
  });
});
