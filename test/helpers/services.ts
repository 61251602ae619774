/**
 * Real services the guest and power tests run against, each started by the test in its own temp dir,
 * on loopback, and stopped by PID: a session libvirtd (qemu driver, TCG) run as `nobody`, and
 * OpenIPMI's ipmi_sim with a chassis-control script that records what the BMC was asked.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { hasTool } from "../unit/render/tools.js";

/**
 * A describe block that needs a service `started` at collection time: locally skipped with the printed
 * reason when it could not start, a failing test in CI (CI=true).
 */
export function describeWithService(name: string, started: unknown, fn: () => void): void {
  if (!(started instanceof Error)) {
    describe(name, fn);
    return;
  }
  if (process.env.CI) {
    describe(name, () => it("has its service running", () => { throw new Error(`CI must run this suite: ${started.message}`); }));
    return;
  }
  console.log(`skipping "${name}": ${started.message}`);
  describe.skip(name, fn);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a process by PID: SIGTERM, then SIGKILL when it is still there after `graceMs`. */
async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  process.kill(child.pid!, "SIGTERM");
  const t = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

/** Polls `ready` every 200 ms up to `tries` times; throws `why` when it never turns true. */
async function waitFor(ready: () => boolean, tries: number, why: () => string): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (ready()) return;
    await sleep(200);
  }
  throw new Error(why());
}

/** A running session libvirtd: the URI to give bootplan and virsh, and a dir pool named `pool` for disks. */
export interface Libvirtd {
  uri: string;
  pool: string;
  dir: string;
  virsh(...args: string[]): { status: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

/**
 * Starts libvirtd in session mode (as `nobody` when run by root) with every config, state and socket dir in a temp dir
 * (root's system libvirt is never touched), a qemu.conf that logs guests to files (no virtlogd), and a
 * directory storage pool. QEMU runs with TCG, so no /dev/kvm is needed.
 */
export async function startLibvirtd(): Promise<Libvirtd> {
  for (const t of ["libvirtd", "virsh", "qemu-system-x86_64", "setpriv"]) {
    if (!hasTool(t)) throw new Error(`${t} is not installed (apt-get install libvirt-daemon-system libvirt-clients qemu-system-x86)`);
  }
  // Root runs it as nobody (a root libvirtd would be the system one); anyone else runs it as themselves.
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "bootplan-libvirtd-"));
  for (const d of ["cfg/libvirt", "cache", "run", "home", "pool"]) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, "cfg/libvirt/qemu.conf"), 'stdio_handler = "file"\n');
  writeFileSync(join(dir, "cfg/libvirt/libvirtd.conf"), "");
  chmodSync(dir, 0o755);
  if (asRoot) spawnSync("chown", ["-R", "nobody:nogroup", dir]);
  chmodSync(join(dir, "run"), 0o700);
  const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: join(dir, "home"), XDG_CONFIG_HOME: join(dir, "cfg"), XDG_CACHE_HOME: join(dir, "cache"), XDG_RUNTIME_DIR: join(dir, "run") };
  const daemon = ["libvirtd", "--timeout", "600"];
  const child = asRoot
    ? spawn("setpriv", ["--reuid", "nobody", "--regid", "nogroup", "--clear-groups", ...daemon], { env, stdio: ["ignore", "ignore", "pipe"] })
    : spawn(daemon[0], daemon.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => void (stderr += b.toString()));
  const uri = `qemu+unix:///session?socket=${join(dir, "run/libvirt/libvirt-sock")}`;
  const virsh = (...args: string[]) => {
    const r = spawnSync("virsh", ["-q", "-c", uri, ...args], { encoding: "utf8", timeout: 60_000 });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const lv: Libvirtd = {
    uri, dir, pool: "bootplan-test", virsh,
    async stop() {
      for (const name of virsh("list", "--name").stdout.split("\n").filter(Boolean)) virsh("destroy", name);
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(() => child.exitCode === null && virsh("version").status === 0, 75, () => `libvirtd did not start: ${stderr.trim().split("\n").pop() ?? "no output"}`);
    const pool = virsh("pool-define-as", lv.pool, "dir", "--target", join(dir, "pool"));
    if (pool.status !== 0 || virsh("pool-start", lv.pool).status !== 0) throw new Error(`libvirtd: cannot create the test pool: ${pool.stderr.trim()}`);
  } catch (err) {
    await lv.stop();
    throw err;
  }
  return lv;
}

/** A running ipmi_sim: its BMC address and the log of what its chassis was asked. */
export interface IpmiSim {
  port: number;
  user: string;
  password: string;
  /** The chassis-control calls so far, one per line: "get power" (power status), "set boot pxe" (bootdev), "set power 0|1". */
  calls(): string[];
  /** Sets the simulated machine's power (1 on, 0 off) without going through IPMI. */
  setPower(on: boolean): void;
  stop(): Promise<void>;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts ipmi_sim on 127.0.0.1 (a free UDP port) with one admin user and a chassis-control script
 * that appends every call to a log and keeps the power state in a file.
 */
export async function startIpmiSim(): Promise<IpmiSim> {
  for (const t of ["ipmi_sim", "ipmitool"]) if (!hasTool(t)) throw new Error(`${t} is not installed (apt-get install openipmi ipmitool)`);
  const dir = mkdtempSync(join(tmpdir(), "bootplan-ipmisim-"));
  const port = await freeUdpPort();
  const user = "admin", password = "bmc-test-secret";
  mkdirSync(join(dir, "state"));
  const script = join(dir, "chassis.sh");
  writeFileSync(script, [
    "#!/bin/sh",
    `D='${dir}'`,
    "shift # the MC address",
    'echo "$*" >> "$D/calls.log"',
    'case "$1" in',
    '  get) shift; for p in "$@"; do case "$p" in power) echo "power:$(cat "$D/power" 2>/dev/null || echo 0)";; boot) echo "boot:none";; *) echo "$p:0";; esac; done;;',
    '  set) shift; while [ $# -gt 1 ]; do [ "$1" = power ] && echo "$2" > "$D/power"; shift 2; done;;',
    "esac",
    "",
  ].join("\n"));
  chmodSync(script, 0o755);
  const auths = "none md2 md5 straight";
  writeFileSync(join(dir, "lan.conf"), [
    'name "bootplan-test"', "set_working_mc 0x20", "  startlan 1", `    addr 127.0.0.1 ${port}`, "    priv_limit admin",
    ...["callback", "user", "operator", "admin"].map((p) => `    allowed_auths_${p} ${auths}`),
    "    guid a123456789abcdefa123456789abcdef", "  endlan", `  chassis_control "${script} 0x20"`,
    `  user 2 true "${user}" "${password}" admin 10 ${auths}`, "",
  ].join("\n"));
  writeFileSync(join(dir, "sim.emu"), "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n");
  const child = spawn("ipmi_sim", ["-c", join(dir, "lan.conf"), "-f", join(dir, "sim.emu"), "-s", join(dir, "state"), "-n"], { stdio: "ignore" });
  const pwFile = join(dir, "pw");
  writeFileSync(pwFile, password, { mode: 0o600 });
  const sim: IpmiSim = {
    port, user, password,
    calls: () => { try { return readFileSync(join(dir, "calls.log"), "utf8").split("\n").filter(Boolean); } catch { return []; } },
    setPower: (on) => writeFileSync(join(dir, "power"), on ? "1\n" : "0\n"),
    async stop() {
      await stop(child, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const probe = () => spawnSync("ipmitool", ["-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p", String(port), "-U", user, "-f", pwFile, "-R", "1", "-N", "1", "power", "status"], { timeout: 10_000 }).status === 0;
    await waitFor(() => child.exitCode === null && probe(), 25, () => `ipmi_sim did not answer on 127.0.0.1:${port}`);
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return sim;
}
