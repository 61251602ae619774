// npm run bench:serve: bootplan serve on loopback with a generated 10,000-system stack (HTTP only).
// Answer files and iPXE scripts of random systems under autocannon (requests/s, p99 latency), then
// a large hosted kernel over HTTP (MB/s). Usage: node bench/serve.js [N] (default 10000).
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { generateStack } from "./generate.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin/bootplan.js");
const n = Number(process.argv[2] ?? 10000);
const port = 18000 + (process.pid % 1000);
const base = `http://127.0.0.1:${port}`;

const dir = mkdtempSync(join(tmpdir(), `bootplan-bench-serve-${n}-`));
let server;
try {
  generateStack(dir, n, { labDir: join(repo, "stacks/lab") });
  let t = Date.now();
  const apply = spawnSync(process.execPath, [bin, "apply", dir, "--auto-approve"], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (apply.status !== 0) throw new Error(`apply failed: ${apply.stderr}`);
  console.log(`applied ${n} systems in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  // A 1 GiB kernel stands in for a real one, so the transfer is long enough to measure.
  const kernel = join(dir, ".bootplan/root/tftp/images/debian-12/linux");
  const fd = openSync(kernel, "w");
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < 1024; i++) writeSync(fd, chunk);
  closeSync(fd);

  server = spawn(process.execPath, [bin, "serve", dir, "--listen", `127.0.0.1:${port}`, "--no-dnsmasq"], { stdio: ["ignore", openSync(join(dir, "serve.log"), "w"), "inherit"] });
  for (let i = 0; ; i++) {
    const ok = await new Promise((r) => get(`${base}/healthz`, (res) => { res.resume(); r(res.statusCode === 200); }).on("error", () => r(false)));
    if (ok) break;
    if (i > 200) throw new Error("serve did not start");
    await new Promise((r) => setTimeout(r, 100));
  }

  // Every system's answer file (kickstart/preseed .cfg, or autoinstall user-data) and iPXE script, as applied.
  const httpDir = join(dir, ".bootplan/root/http");
  const paths = [
    ...readdirSync(join(httpDir, "answers"), { withFileTypes: true }).map((e) => (e.isDirectory() ? `/answers/${e.name}/user-data` : `/answers/${e.name}`)),
    ...readdirSync(join(httpDir, "ipxe")).map((f) => `/ipxe/${f}`),
  ];
  const ac = await autocannon({
    url: base, connections: 32, duration: 10,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }],
  });
  const non2xx = ac.non2xx + ac.errors;
  console.log(`answer files + iPXE scripts, 32 connections, 10 s: ${ac.requests.average.toFixed(0)} req/s, p50 ${ac.latency.p50} ms, p99 ${ac.latency.p99} ms, ${non2xx} errors/non-2xx (targets: >= 5000 req/s, p99 <= 20 ms)`);

  t = Date.now();
  const streams = 2;
  const bytes = await Promise.all(Array.from({ length: streams }, () => new Promise((resolve, reject) => {
    get(`${base}/images/debian-12/linux`, (res) => {
      let b = 0;
      res.on("data", (d) => (b += d.length)).on("end", () => resolve(b)).on("error", reject);
    }).on("error", reject);
  })));
  const total = bytes.reduce((a, b) => a + b, 0);
  const secs = (Date.now() - t) / 1000;
  console.log(`kernel over HTTP: ${streams} x ${(bytes[0] / 2 ** 20).toFixed(0)} MiB in ${secs.toFixed(2)} s = ${(total / 1e6 / secs).toFixed(0)} MB/s (target: >= 500 MB/s)`);
} finally {
  if (server?.pid) {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
  rmSync(dir, { recursive: true, force: true });
}
