/** bootplan serve's HTTP side, in process on a free loopback port, over an applied lab. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../../src/cli/output.js";
import { openSession } from "../../../src/cli/session.js";
import { buildServeResources, LOADERS } from "../../../src/graph/serve.js";
import { startServer, type RunningServer } from "../../../src/serve/server.js";
import { cleanup, runCli, tempStack } from "../../helpers/stack.js";

const io: Io = { out: () => {}, err: () => {}, isTty: false, env: process.env };

describe("bootplan serve over HTTP", () => {
  let dir = "";
  let server: RunningServer;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = tempStack();
    const r = await runCli(["apply", dir, "--auto-approve"]);
    expect(r.stderr).toBe("");
    server = await startServer(await openSession(dir, io), { listen: "127.0.0.1:0", dnsmasq: false, env: process.env, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) cleanup(dir);
  });

  const get = (path: string, headers: Record<string, string> = {}, method = "GET") => fetch(`${server.url}${path}`, { headers, method });

  it("serves answer files and iPXE scripts as text, logging the system each belongs to", async () => {
    const a = await get("/answers/web01.cfg");
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await a.text()).toContain("d-i netcfg/get_ipaddress string 10.0.2.15");
    const s = await get("/ipxe/52-54-00-12-34-03.ipxe");
    expect(await s.text()).toContain("# bootplan: system db01,");
    const u = await get("/answers/ci01/user-data");
    expect(u.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(lines).toContainEqual(expect.stringMatching(/^127\.0\.0\.1 GET \/answers\/web01\.cfg 200 \d+ [\d.]+ms system=web01$/));
    expect(lines).toContainEqual(expect.stringMatching(/GET \/ipxe\/52-54-00-12-34-03\.ipxe 200 .* system=db01$/));
    expect(lines).toContainEqual(expect.stringMatching(/GET \/answers\/ci01\/user-data 200 .* system=ci01$/));
  });

  it("serves the chain script and the hosted boot files, with byte ranges and HEAD", async () => {
    expect(await (await get("/boot.ipxe")).text()).toContain("chain http://10.0.2.2:8080/ipxe/${netX/mac:hexhyp}.ipxe");
    const whole = Buffer.from(await (await get("/images/debian-12-amd64/linux")).arrayBuffer());
    const part = await get("/images/debian-12-amd64/linux", { range: "bytes=2-9" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 2-9/${whole.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(2, 10));
    const tail = await get("/images/debian-12-amd64/linux", { range: "bytes=-5" });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 5));
    expect((await get("/images/debian-12-amd64/linux", { range: `bytes=${whole.length}-` })).status).toBe(416);
    const head = await get("/images/debian-12-amd64/linux", {}, "HEAD");
    expect(head.headers.get("content-length")).toBe(String(whole.length));
    expect(head.headers.get("accept-ranges")).toBe("bytes");
  });

  it("serves nothing outside http/ and tftp/images/", async () => {
    for (const p of ["/..%2fstack.yaml", "/%2e%2e/%2e%2e/stack.yaml", "/images/..%2f..%2fdnsmasq/dnsmasq.conf", "/.hidden", "/answers/", "/nope.cfg"]) {
      expect((await get(p)).status, p).toBe(404);
    }
  });

  it("answers the health check", async () => {
    expect(await (await get("/healthz")).json()).toEqual({ status: "ok", stack: "lab" });
  });

  it("never logs the query string of a callback", async () => {
    const r = await get("/install-done/web01?token=not-the-token");
    expect(r.status).toBe(409); // web01 is not netboot: once
    expect(lines.join("\n")).not.toContain("not-the-token");
    expect(lines).toContainEqual(expect.stringMatching(/GET \/install-done\/web01 409 .* system=web01$/));
  });
});

describe("bootplan serve without the boot loader packages", () => {
  it("plans the loader without a hash, with a note naming the package, and refuses to hand it out", async () => {
    const saved = LOADERS["undionly.kpxe"].source;
    LOADERS["undionly.kpxe"].source = "/nonexistent/undionly.kpxe";
    const dir = tempStack();
    try {
      const s = await openSession(dir, io);
      const loader = buildServeResources(s.stack, s.stack.provisioningRoot).find((r) => r.address === "loader.undionly.kpxe")!;
      expect(loader.inputs.loader).toEqual({ source: "/nonexistent/undionly.kpxe", sha256: null, target: "tftp/undionly.kpxe" });
      expect(loader.notes).toEqual(["/nonexistent/undionly.kpxe is missing: install the Debian package ipxe and apply again (bootplan serve needs it)"]);
      const r = await runCli(["apply", dir, "--auto-approve"]);
      expect(r.code).toBe(0);
      rmSync(join(s.stack.provisioningRoot, "tftp/undionly.kpxe"), { force: true });
      await expect(startServer(await openSession(dir, io), { listen: "127.0.0.1:0", dnsmasq: true, env: process.env, log: () => {} }))
        .rejects.toThrow("boot loader tftp/undionly.kpxe is missing from the provisioning root: install the Debian package ipxe (apt-get install ipxe) and run bootplan apply; or run bootplan serve --no-dnsmasq to serve HTTP only");
    } finally {
      LOADERS["undionly.kpxe"].source = saved;
      cleanup(dir);
    }
  });
});
