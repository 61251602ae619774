/**
 * `netboot: once` end to end. The installer cannot finish an install offline, so web02 boots the same
 * Debian kernel with a tiny initrd built here from busybox-static: its /init configures the static
 * address from the kernel command line (as d-i does), fetches the preseed from `url=`, runs the
 * late_command it finds there (the install-done callback) and powers off. bootplan serve must then
 * have recorded the install and flipped web02's boot configs to the local disk.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { editStackFile, runBin, tempStack } from "../../helpers/stack.js";
import { DI_DIR, hostBootFiles, qemuArgs, startServe, tearDown } from "./lab.js";
import { describeNetboot, Netns, waitForLog } from "./netns.js";

const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /bin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
/bin/busybox --install -s /bin
export PATH=/bin
insmod /e1000.ko
for a in $(cat /proc/cmdline); do
  case "$a" in
    url=*) URL="\${a#url=}" ;;
    netcfg/get_ipaddress=*) IP="\${a#*=}" ;;
    netcfg/get_netmask=*) MASK="\${a#*=}" ;;
  esac
done
echo "bootplan-test-init: preseed $URL, address $IP/$MASK"
ifconfig eth0 "$IP" netmask "$MASK" up
sleep 2
wget -q -O /answer "$URL" || echo "bootplan-test-init: cannot fetch the preseed"
CMD=$(sed -n 's/^d-i preseed\\/late_command string //p' /answer)
echo "bootplan-test-init: running late_command \${CMD%%\\?*}"
sh -c "$CMD" && echo "bootplan-test-init: callback done"
poweroff -f
`;

/** Builds the busybox initrd (gzip'd newc cpio, with the installer's e1000 module) at `out`. */
function buildInitrd(work: string, out: string): void {
  const tree = join(work, "tree");
  mkdirSync(join(tree, "bin"), { recursive: true });
  copyFileSync("/bin/busybox", join(tree, "bin/busybox"));
  writeFileSync(join(tree, "init"), INIT);
  chmodSync(join(tree, "init"), 0o755);
  const sh = (cmd: string) => {
    const r = spawnSync("sh", ["-c", cmd], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  };
  const q = (s: string) => `'${s}'`;
  sh(`cd ${q(work)} && zcat ${q(join(DI_DIR, "initrd.gz"))} | busybox cpio -id 'lib/modules/*/e1000.ko' && cp lib/modules/*/kernel/drivers/net/ethernet/intel/e1000/e1000.ko ${q(tree)}/`);
  sh(`cd ${q(tree)} && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > ${q(out)}`);
}

describeNetboot("netboot: once — the install-done callback flips a system to local boot", () => {
  const ns = new Netns();
  const work = mkdtempSync(join(tmpdir(), "bootplan-once-"));
  const serveLog = join(work, "serve.log");
  const consoleLog = join(work, "console.log");
  let dir = "";

  beforeAll(async () => {
    buildInitrd(work, join(work, "initrd.gz"));
    dir = tempStack();
    hostBootFiles(dir, join(DI_DIR, "linux"), join(work, "initrd.gz"));
    editStackFile(dir, "systems.yaml", /(  web02:\n    profile: web\n)/, "$1    netboot: once\n");
    const r = runBin(["apply", dir, "--auto-approve"]);
    expect(r.stderr).toBe("");
    ns.create();
    await startServe(ns, dir, serveLog);
  }, 60_000);

  afterAll(() => tearDown(ns, dir, work));

  it("records the install when the installed system calls back, and boots it locally from then on", async () => {
    const vm = ns.start("qemu-system-x86_64", qemuArgs("52:54:00:12:34:02", consoleLog), join(work, "qemu.log"));
    await waitForLog(serveLog, /install-done for web02: install recorded at \S+; its boot configs now boot the local disk/, 300_000, "the callback");
    await waitForLog(consoleLog, /bootplan-test-init: callback done/, 30_000, "the VM to see the callback succeed");
    await new Promise<void>((r) => (vm.exitCode !== null ? r() : vm.once("exit", () => r())));
    const log = readFileSync(serveLog, "utf8");
    expect(log).toMatch(/10\.0\.2\.16 GET \/answers\/web02\.cfg 200 \d+ \S+ system=web02/);
    expect(log).toMatch(/10\.0\.2\.16 GET \/install-done\/web02 200 \d+ \S+ system=web02/);
    expect(log).not.toMatch(/token=/);

    const root = join(dir, ".bootplan/root");
    expect(readFileSync(join(root, "http/ipxe/52-54-00-12-34-02.ipxe"), "utf8")).toContain("sanboot --no-describe --drive 0x80");
    expect(readFileSync(join(root, "tftp/pxelinux.cfg/01-52-54-00-12-34-02"), "utf8")).toContain("LOCALBOOT 0");
    const state = JSON.parse(readFileSync(join(dir, ".bootplan/state.json"), "utf8"));
    expect(state.resources["system.web02"].outputs.installedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const plan = runBin(["plan", dir, "--detailed-exitcode"]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);

    // The same call again (a replay of the token the answer file holds) changes nothing, and is logged.
    const url = /(http:\/\/\S+\/install-done\/web02\?token=\S+)/.exec(readFileSync(join(root, "http/answers/web02.cfg"), "utf8"))![1];
    const replay = spawnSync("ip", ["netns", "exec", ns.name, "busybox", "wget", "-q", "-O", "-", url], { encoding: "utf8", timeout: 10_000 });
    expect(replay.status).not.toBe(0); // 409
    await waitForLog(serveLog, /install-done for web02 replayed: its install was recorded at/, 10_000, "the replay to be logged");
    expect(readFileSync(join(dir, ".bootplan/state.json"), "utf8")).toBe(JSON.stringify(state, null, 2) + "\n");
  }, 360_000);
});
