/**
 * A private network for the netboot tests: a network namespace this test creates (`ip netns add`),
 * holding a tap device at 10.0.2.2/24 (the lab's server address). bootplan serve, its dnsmasq and qemu
 * all run inside it, so no packet leaves the machine; every process is stopped by its PID and the
 * namespace deleted at the end.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { describe } from "vitest";

/** What the netboot tests need from the system, with the Debian package providing it. */
export const NETBOOT_TOOLS: { path: string; pkg: string }[] = [
  { path: "/usr/sbin/dnsmasq", pkg: "dnsmasq" },
  { path: "/usr/bin/qemu-system-x86_64", pkg: "qemu-system-x86" },
  { path: "/usr/lib/ipxe/qemu/efi-e1000.rom", pkg: "ipxe-qemu" },
  { path: "/usr/lib/ipxe/undionly.kpxe", pkg: "ipxe" },
  { path: "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/linux", pkg: "debian-installer-12-netboot-amd64" },
  { path: "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64/initrd.gz", pkg: "debian-installer-12-netboot-amd64" },
];

/** Why the netboot tests cannot run here, or undefined when they can. */
export function netbootUnavailable(extra: { path: string; pkg: string }[] = []): string | undefined {
  const missing = [...NETBOOT_TOOLS, ...extra].filter((t) => !existsSync(t.path));
  if (missing.length) return `missing ${missing.map((t) => `${t.path} (apt-get install ${t.pkg})`).join(", ")}`;
  if (process.getuid?.() !== 0) return "creating a network namespace and a tap device needs root";
  if (spawnSync("ip", ["netns", "list"]).status !== 0) return "ip netns does not work here (iproute2)";
  return undefined;
}

/** A describe block that needs the netboot tools: skipped with the reason locally, failing under CI=true. */
export function describeNetboot(name: string, fn: () => void, extra: { path: string; pkg: string }[] = []): void {
  const why = netbootUnavailable(extra);
  if (why && !process.env.CI) {
    console.log(`skipping "${name}": ${why}`);
    describe.skip(name, fn);
    return;
  }
  describe(name, () => {
    if (why) throw new Error(`${name} must run in CI: ${why}`);
    fn();
  });
}

let accel: string | undefined;

/**
 * `kvm` when KVM really runs a Linux kernel here, else `tcg`. qemu's own `kvm:tcg` fallback is not
 * enough: under some nested hypervisors /dev/kvm opens and runs the BIOS, then hangs the kernel.
 * The probe boots the installer's kernel for at most 15 s and looks for its first console line.
 */
export function qemuAccel(kernel: string): string {
  if (accel) return accel;
  if (!existsSync("/dev/kvm")) return (accel = "tcg");
  const r = spawnSync("qemu-system-x86_64", [
    "-machine", "accel=kvm", "-m", "256", "-display", "none", "-vga", "none", "-monitor", "none", "-nodefaults", "-no-reboot",
    "-serial", "stdio", "-kernel", kernel, "-append", "console=ttyS0 earlyprintk=ttyS0 panic=-1",
  ], { encoding: "latin1", timeout: 15_000, killSignal: "SIGKILL" });
  accel = /Linux version/.test(r.stdout ?? "") ? "kvm" : "tcg";
  console.log(`netboot tests: qemu accelerator ${accel}${accel === "tcg" ? " (KVM is absent or cannot run a kernel here)" : ""}`);
  return accel;
}

/** A network namespace with tap0 at 10.0.2.2/24 and the processes started in it. */
export class Netns {
  readonly name = `bp-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly children: ChildProcess[] = [];

  /** Creates the namespace, brings up lo and the tap device. */
  create(): void {
    const run = (...args: string[]) => {
      const r = spawnSync("ip", args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
    };
    run("netns", "add", this.name);
    run("-n", this.name, "link", "set", "lo", "up");
    run("-n", this.name, "tuntap", "add", "dev", "tap0", "mode", "tap");
    run("-n", this.name, "addr", "add", "10.0.2.2/24", "dev", "tap0");
    run("-n", this.name, "link", "set", "tap0", "up");
  }

  /** Starts `cmd args` inside the namespace, stdout and stderr to `logFile`; the PID is the command's own (ip netns exec execs it). */
  start(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
    const fd = openSync(logFile, "a");
    const child = spawn("ip", ["netns", "exec", this.name, cmd, ...args], { stdio: ["ignore", fd, fd], env: { ...process.env, ...env } });
    this.children.push(child);
    return child;
  }

  /** Receives syslog over UDP at 10.0.2.2:514 inside the namespace (d-i's `log_host=`), one message a line, into `logFile`. */
  startSyslog(logFile: string): ChildProcess {
    const js = "require('dgram').createSocket('udp4').on('message',(m)=>process.stdout.write(String(m).trim()+'\\n')).bind(514,'10.0.2.2')";
    return this.start(process.execPath, ["-e", js], logFile);
  }

  /** Stops every process it started (SIGTERM, then SIGKILL after 5 s), by PID, then deletes the namespace. */
  async destroy(): Promise<void> {
    await Promise.all(this.children.map((c) => stopChild(c)));
    spawnSync("ip", ["netns", "del", this.name]);
  }
}

/** Stops one child by its PID and waits for it to exit. */
export async function stopChild(c: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
  const exited = new Promise<void>((r) => c.once("exit", () => r()));
  process.kill(c.pid, signal);
  const t = setTimeout(() => c.pid && c.exitCode === null && process.kill(c.pid, "SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
}

/** Waits until `file` matches `re` (polling), or fails after `ms` naming what it waited for and the file's tail. */
export async function waitForLog(file: string, re: RegExp, ms: number, what = String(re)): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, "latin1") : "";
    const m = text.match(re);
    if (m) return m;
    if (Date.now() > until) throw new Error(`timed out after ${ms / 1000}s waiting for ${what} in ${file}; it ends with:\n${text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
