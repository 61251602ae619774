// npm run bench:facts: facts for 200 targets over SSH on loopback with --ssh-concurrency 32.
// Starts 13 sshd processes on 127.0.0.1 (16 ports each: sshd listens on at most 16 sockets), so each
// target is its own host:port and gets its own connection, then times a real `bootplan plan
// --use-facts` over a 200-system stack (helper already uploaded, and first contact with upload),
// reporting targets/s and peak RSS. Usage: node bench/facts.js [TARGETS] [CONCURRENCY]
// BENCH_SSHD_NO_REEXEC=1 starts sshd with -r (no re-exec per connection): on loopback all targets
// share this machine's CPU, and sshd's per-connection cost, not bootplan's, dominates.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer, connect } from "node:net";
import { cpus, loadavg, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin/bootplan.js");
const targets = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 32);
const PORTS_PER_SSHD = 16;

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const listening = (port) => new Promise((resolve) => {
  const c = connect(port, "127.0.0.1");
  c.once("connect", () => (c.destroy(), resolve(true)));
  c.once("error", () => resolve(false));
});

/** CPU seconds the sshd daemons' reaped children (sessions, shells, the helper) have used so far. */
function serverCpu() {
  let ticks = 0;
  for (const d of daemons) {
    try {
      const f = readFileSync(`/proc/${d.pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(f[14]) + Number(f[15]); // cutime, cstime (fields 16 and 17)
    } catch {
      /* exited */
    }
  }
  return ticks / 100; // USER_HZ
}

const work = mkdtempSync(join(tmpdir(), "bootplan-bench-facts-"));
const daemons = [];
try {
  for (const k of ["host", "client"]) spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, k)]);
  writeFileSync(join(work, "authorized_keys"), readFileSync(join(work, "client.pub")));
  if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
  const sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"].find((p) => existsSync(p));
  const ports = [];
  for (let i = 0; ports.length < targets; i++) {
    const mine = [];
    for (let j = 0; j < PORTS_PER_SSHD && ports.length + mine.length < targets; j++) mine.push(await freePort());
    const conf = join(work, `sshd_config.${i}`);
    writeFileSync(conf, [...mine.map((p) => `Port ${p}`), "ListenAddress 127.0.0.1", `HostKey ${join(work, "host")}`, `PidFile ${join(work, `sshd.${i}.pid`)}`,
      `AuthorizedKeysFile ${join(work, "authorized_keys")}`, "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password", "Subsystem sftp internal-sftp", "MaxStartups 1024:30:2048", "LogLevel ERROR", "UseDNS no", "PrintMotd no", "PrintLastLog no"].join("\n") + "\n");
    daemons.push(spawn(sshd, [...(process.env.BENCH_SSHD_NO_REEXEC ? ["-r"] : []), "-D", "-e", "-f", conf], { stdio: "ignore" }));
    ports.push(...mine);
  }
  for (const p of ports) while (!(await listening(p))) await new Promise((r) => setTimeout(r, 20));

  const dir = join(work, "stack");
  cpSync(join(repo, "stacks/lab"), dir, { recursive: true, filter: (s) => !s.includes(".bootplan") });
  cpSync(join(work, "client"), join(dir, "secrets/bench_ed25519"));
  writeFileSync(join(dir, "stack.yaml"), readFileSync(join(dir, "stack.yaml"), "utf8") + "  bench-key: {file: secrets/bench_ed25519}\n");
  const hostKey = readFileSync(join(work, "host.pub"), "utf8").split(" ").slice(0, 2).join(" ");
  const lines = ["systems:"];
  ports.forEach((port, i) => {
    const mac = `52:54:01:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}:01`;
    lines.push(`  run${i}:`, "    profile: web", `    interfaces: [{mac: "${mac}"}]`,
      `    ssh: {host: 127.0.0.1, port: ${port}, user: ${userInfo().username}, identity: {secret: bench-key}, hostKey: "${hostKey}", helperDir: ${join(work, "helper")}}`);
  });
  writeFileSync(join(dir, "bench-systems.yaml"), lines.join("\n") + "\n");

  const run = (label) => {
    const rssFile = join(work, "rss");
    const t0 = process.hrtime.bigint();
    const before = serverCpu();
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, "--require", join(repo, "bench/rss-preload.cjs"), bin, "plan", dir, "--use-facts", "--ssh-concurrency", String(concurrency), "--no-lock", "--no-color"], {
      env: { ...process.env, BOOTPLAN_BENCH_RSS_FILE: rssFile }, encoding: "utf8", maxBuffer: 1 << 30,
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const [u, sy] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
    const server = serverCpu() - before;
    if (r.status !== 0) throw new Error(`plan --use-facts exited ${r.status}: ${r.stderr.slice(0, 1000)}`);
    const rss = Number(readFileSync(rssFile, "utf8")) / 2 ** 20;
    console.log(`  ${label.padEnd(44)} ${s.toFixed(2).padStart(6)} s  ${(targets / s).toFixed(0).padStart(5)} targets/s  ${rss.toFixed(0).padStart(5)} MiB peak RSS  CPU: bootplan ${(u + sy).toFixed(2)} s, sshd+helper ${server.toFixed(2)} s`);
    return { s, client: u + sy, server };
  };
  // The floor: the same plan without --use-facts (stack load, render, plan; no SSH).
  const t0 = process.hrtime.bigint();
  const fl = spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, bin, "plan", dir, "--no-lock", "--no-color"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const floor = Number(process.hrtime.bigint() - t0) / 1e9;
  const floorCpu = fl.stderr.trim().split("\n").pop().split(" ").map(Number).reduce((a, b) => a + b, 0);
  console.log(`\nfacts for ${targets} targets over SSH on loopback (${daemons.length} sshd, --ssh-concurrency ${concurrency}), bootplan plan --use-facts:`);
  console.log(`  ${"plan without --use-facts (no SSH, the floor)".padEnd(44)} ${floor.toFixed(2).padStart(6)} s  CPU ${floorCpu.toFixed(2)} s  (load average now ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
  run("first contact (uploads + verifies the helper)");
  let best;
  for (let i = 0; i < 2; i++) {
    const r = run(`helper in place, run ${i + 1}`);
    if (!best || r.s < best.s) best = r;
  }
  console.log(`  facts alone (best run minus the floor): ${(targets / Math.max(best.s - floor, 0.001)).toFixed(0)} targets/s wall`);
  // On a shared machine wall time mostly measures other people's load; CPU seconds per target do not.
  const perTarget = (best.client - floorCpu + best.server) / targets;
  console.log(`  CPU per target: bootplan ${(1000 * (best.client - floorCpu) / targets).toFixed(1)} ms + sshd and helper ${(1000 * best.server / targets).toFixed(1)} ms;` +
    ` an otherwise idle ${cpus().length}-core machine sustains about ${(cpus().length / perTarget).toFixed(0)} targets/s`);
} finally {
  for (const d of daemons) if (d.exitCode === null) process.kill(d.pid, "SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
