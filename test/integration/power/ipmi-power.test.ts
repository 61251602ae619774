/**
 * Power control against OpenIPMI's BMC simulator (ipmi_sim on loopback, IPMI v2 lanplus), whose
 * chassis-control script records what it was asked. ipmitool is the real one, behind a PATH shim that
 * records its arguments and the mode of the password file, so the test sees the password never
 * reaches a command line.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemProvider } from "../../../src/providers/file-resource.js";
import { describeWithService, startIpmiSim, type IpmiSim } from "../../helpers/services.js";
import { cleanup, runBin, tempStack } from "../../helpers/stack.js";

const sim = await startIpmiSim().catch((e: Error) => e);

describeWithService("power through a BMC (ipmi_sim + ipmitool -I lanplus)", sim, () => {
  const bmc = sim as IpmiSim;
  let dir: string;
  let shim: string;
  let env: NodeJS.ProcessEnv;
  const sets = (from: number) => bmc.calls().slice(from).filter((c) => c.startsWith("set "));
  /** The chassis sets since `from`, once there are `n` of them: ipmi_sim powers back on a moment after a cycle's off. */
  const settled = async (from: number, n: number) => {
    for (let i = 0; i < 50 && sets(from).length < n; i++) await new Promise((r) => setTimeout(r, 200));
    return sets(from);
  };
  const machines = (profile: string, kernelArgs: string[] = []) => [
    "distros:",
    "  debian-13-amd64:",
    "    os: {family: debian, release: \"13\"}",
    "    arch: x86_64",
    "    kernel: {url: \"http://deb.debian.org/debian/dists/trixie/main/installer-amd64/current/images/netboot/debian-installer/amd64/linux\"}",
    "    initrd: {url: \"http://deb.debian.org/debian/dists/trixie/main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz\"}",
    "profiles:",
    "  trixie: {distro: debian-13-amd64}",
    "systems:",
    "  metal01:",
    `    profile: ${profile}`,
    "    interfaces: [{mac: \"52:54:00:20:00:09\"}]",
    `    kernelArgs: ${JSON.stringify(kernelArgs)}`,
    `    power: {type: ipmi, host: 127.0.0.1, port: ${bmc.port}, user: ${bmc.user}, password: {secret: bmc-password}, interface: lanplus, cipherSuite: 3}`,
    "",
  ].join("\n");

  beforeAll(() => {
    dir = tempStack({ "secrets/demo-bmc-password": `${bmc.password}\n` }, "virt-example");
    writeFileSync(join(dir, "machines.yaml"), machines("base-debian"));
    shim = mkdtempSync(join(tmpdir(), "bootplan-ipmitool-shim-"));
    writeFileSync(join(shim, "ipmitool"), [
      "#!/bin/sh",
      `echo "$*" >> '${shim}/argv.log'`,
      'prev=""; for a in "$@"; do [ "$prev" = -f ] && stat -c %a "$a" >> ' + `'${shim}/modes.log'; prev="$a"; done`,
      'exec /usr/bin/ipmitool "$@"',
      "",
    ].join("\n"));
    chmodSync(join(shim, "ipmitool"), 0o755);
    env = { PATH: `${shim}:${process.env.PATH}` };
  });
  afterAll(async () => {
    cleanup(dir);
    rmSync(shim, { recursive: true, force: true });
    await bmc.stop();
  });

  it("plans the power action of an install, and applying it to a machine that is off sets next boot to PXE and powers it on", async () => {
    bmc.setPower(false);
    const plan = runBin(["plan", dir], { env });
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toMatch(/\+ system\.metal01\n\s+# power: cycle, next boot pxe/);
    expect(plan.stdout).not.toContain(bmc.password);

    const from = bmc.calls().length;
    const apply = runBin(["apply", dir, "--auto-approve"], { env });
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(await settled(from, 2)).toEqual(["set boot pxe", "set power 1"]);
    expect(bmc.calls().slice(from)).toContain("get power");

    const state = readFileSync(join(dir, ".bootplan/state.json"), "utf8");
    expect(state).not.toContain(bmc.password);
    expect(JSON.parse(state).resources["system.metal01"].outputs.observed).toEqual({ power: "next boot pxe, power on" });
    // The password went to ipmitool in a file only its owner can read, never as an argument.
    const argv = readFileSync(join(shim, "argv.log"), "utf8");
    expect(argv).not.toContain(bmc.password);
    expect(argv).toContain(" -f ");
    expect(new Set(readFileSync(join(shim, "modes.log"), "utf8").trim().split("\n"))).toEqual(new Set(["600"]));
  });

  it("never touches power for a change that is not an install, nor for no change", () => {
    const from = bmc.calls().length;
    expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);
    writeFileSync(join(dir, "machines.yaml"), machines("base-debian", ["quiet"]));
    const plan = runBin(["plan", dir], { env });
    expect(plan.stdout).toContain("~ system.metal01");
    expect(plan.stdout).not.toContain("power: cycle");
    expect(runBin(["apply", dir, "--auto-approve"], { env }).code).toBe(0);
    // Reading the power state ("get power") is allowed; setting boot device or power is not.
    expect(sets(from)).toEqual([]);
  });

  it("a reinstall (new distro) of a running machine sets next boot to PXE and power-cycles it", async () => {
    bmc.setPower(true);
    writeFileSync(join(dir, "machines.yaml"), machines("trixie", ["quiet"]));
    const plan = runBin(["plan", dir], { env });
    expect(plan.stdout).toMatch(/-\/\+ system\.metal01[^\n]*\n(\s+#[^\n]*\n)*\s+# power: cycle, next boot pxe/);
    // Through a saved plan, as a reviewed change is applied: the BMC password is read again at apply.
    expect(runBin(["plan", dir, "--out", join(dir, "reinstall.plan")], { env }).code).toBe(0);
    expect(readFileSync(join(dir, "reinstall.plan"), "utf8")).not.toContain(bmc.password);
    const from = bmc.calls().length;
    const apply = runBin(["apply", join(dir, "reinstall.plan")], { env });
    expect(apply.stderr).toBe("");
    // bootdev pxe, then the power cycle (ipmi_sim turns it into off, and a moment later on).
    expect(await settled(from, 3)).toEqual(["set boot pxe", "set power 0", "set power 1"]);
  });

  it("bootplan power runs on, off, cycle and status through the BMC", async () => {
    let from = bmc.calls().length;
    const off = runBin(["power", "system.metal01", "off", dir], { env });
    expect(off.stderr).toBe("");
    expect(off.stdout).toBe("system.metal01: power off done; power is off\n");
    expect(sets(from)).toEqual(["set power 0"]);
    expect(runBin(["power", "system.metal01", "status", dir], { env }).stdout).toBe("system.metal01: power off\n");
    from = bmc.calls().length;
    expect(runBin(["power", "system.metal01", "on", dir], { env }).stdout).toBe("system.metal01: power on done; power is on\n");
    expect(runBin(["power", "system.metal01", "cycle", dir], { env }).code).toBe(0);
    expect(await settled(from, 3)).toEqual(["set power 1", "set power 0", "set power 1"]);
  });

  it("read reports the power state the BMC gives (with the password passed as at apply), and why not without it", async () => {
    const rec = JSON.parse(readFileSync(join(dir, ".bootplan/state.json"), "utf8")).resources["system.metal01"];
    bmc.setPower(false);
    const read = await systemProvider.read(rec.id, { ...rec.outputs, __secrets: { "bmc-password": bmc.password } });
    expect(read.props).toMatchObject({ observed: { powerState: "off" } });
    expect(JSON.stringify(read.props)).not.toContain(bmc.password);
    const blind = await systemProvider.read(rec.id, rec.outputs);
    expect(blind.props).toMatchObject({ observed: { powerState: "unknown: no BMC password given to read" } });
  });

  it("a wrong BMC password is a one-line error naming the system and the BMC, with nothing done", () => {
    writeFileSync(join(dir, "secrets/demo-bmc-password"), "not-the-password\n");
    const from = bmc.calls().length;
    const r = runBin(["power", "system.metal01", "cycle", dir], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: system.metal01: BMC 127.0.0.1:${bmc.port} (user admin) refused the login: wrong password (ipmitool: RAKP 2 HMAC is invalid; Error: Unable to establish IPMI v2 / RMCP+ session)\n`);
    expect(r.stderr).not.toContain("not-the-password");
    expect(sets(from)).toEqual([]);

    // The same through apply: a reinstall fails naming the system and the BMC.
    writeFileSync(join(dir, "machines.yaml"), machines("base-debian", ["quiet"]));
    const apply = runBin(["apply", dir, "--auto-approve"], { env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(`Error: system.metal01: BMC 127.0.0.1:${bmc.port} (user admin) refused the login: wrong password`);
  });

  it("the power command refuses an unknown action and an unknown system", () => {
    expect(runBin(["power", "system.kvm01", "dance", dir]).stderr).toBe('Error: power: action must be one of on, off, cycle, status, got "dance"\n');
    expect(runBin(["power", "system.nope", "status", dir]).stderr).toBe('Error: power: no system named "nope" in stack virt-example\n');
  });
});
