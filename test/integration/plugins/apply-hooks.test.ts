/**
 * Apply-time hooks against real things: the lab's notify plugin posting to an HTTP server this test
 * runs on 127.0.0.1 (retry, timeout), and a plugin whose beforeProvision hangs past its timeout.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { editStackFile, runCli, tempStacks } from "../../helpers/stack.js";

const lab = tempStacks();
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

/**
 * An HTTP server on a free loopback port answering each request with `respond(n)` (n counts from 1);
 * undefined: never answer. `requests` counts requests as they arrive, `bodies` holds those read whole.
 */
async function webhook(respond: (n: number) => number | undefined): Promise<{ url: string; bodies: unknown[]; requests: () => number }> {
  const bodies: unknown[] = [];
  let requests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      bodies.push(JSON.parse(text));
      const status = respond(bodies.length);
      if (status !== undefined) res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, requests: () => requests };
}

const stateOf = (d: string) => JSON.parse(readFileSync(join(d, ".bootplan/state.json"), "utf8")) as { resources: Record<string, { outputs: Record<string, unknown> }> };

describe("notify (afterProvision)", () => {
  it("posts a JSON event per provisioned system, retrying a failed attempt, and records the outcome", async () => {
    const d = lab();
    const hook = await webhook((n) => (n === 1 ? 503 : 200));
    const r = await runCli(["apply", d, "--auto-approve", "--target", "system.db01"], { BOOTPLAN_NOTIFY_URL: hook.url });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const host = new URL(hook.url).host;
    expect(r.stdout).toMatch(new RegExp(`^system\\.db01: plugin notify afterProvision ok: posted to ${host.replace(/\./g, "\\.")} \\(HTTP 200, attempt 2\\) \\(\\d+ ms\\)$`, "m"));
    const event = { event: "provisioned", stack: "lab", address: "system.db01", action: "create", system: { name: "db01", hostname: "db01.lab.example", profile: "db", distro: "rocky-9-x86_64" } };
    expect(hook.bodies).toEqual([event, event]);
    expect(stateOf(d).resources["system.db01"].outputs.pluginHooks).toEqual([
      { plugin: "notify", version: "1.0.0", hook: "afterProvision", outcome: "ok", detail: `posted to ${host} (HTTP 200, attempt 2)` },
    ]);

    editStackFile(d, "profiles.yaml", "packages: [postgresql-server]", "packages: [postgresql-server, pgbouncer]");
    const update = await runCli(["apply", d, "--auto-approve", "--target", "system.db01"], { BOOTPLAN_NOTIFY_URL: hook.url });
    expect(update.code).toBe(0);
    expect(hook.bodies.slice(2)).toEqual([{ ...event, action: "update" }]);
    expect(stateOf(d).resources["system.db01"].outputs.pluginHooks).toEqual([expect.objectContaining({ detail: `posted to ${host} (HTTP 200, attempt 1)` })]);
  });

  it("fails the system's operation when the webhook never answers, leaves it unrecorded, and the next apply redoes it", async () => {
    const d = lab();
    editStackFile(d, "stack.yaml", "options: {urlEnv: BOOTPLAN_NOTIFY_URL}", "options: {urlEnv: BOOTPLAN_NOTIFY_URL, attempts: 2, attemptTimeoutMs: 500}");
    const silent = await webhook(() => undefined);
    const r = await runCli(["apply", d, "--auto-approve", "--target", "system.web01"], { BOOTPLAN_NOTIFY_URL: silent.url });
    expect(r.code).toBe(1);
    const host = new URL(silent.url).host;
    expect(r.stderr).toMatch(new RegExp(`^Error: system\\.web01: plugin notify: hook afterProvision for system\\.web01 failed: webhook ${host.replace(/\./g, "\\.")} failed: no answer within 500 ms;`));
    expect(silent.requests()).toBe(2); // the first attempt and one retry
    expect(stateOf(d).resources["system.web01"]).toBeUndefined();
    expect(stateOf(d).resources["profile.web"]).toBeDefined(); // what completed is recorded

    const again = await runCli(["plan", d, "--json"]);
    expect(JSON.parse(again.stdout).changes.filter((c: { address: string }) => c.address === "system.web01")).toEqual([expect.objectContaining({ action: "create" })]);
    const ok = await webhook(() => 204);
    const retry = await runCli(["apply", d, "--auto-approve"], { BOOTPLAN_NOTIFY_URL: ok.url });
    expect(retry.stderr).toBe("");
    expect(stateOf(d).resources["system.web01"].outputs.pluginHooks).toEqual([expect.objectContaining({ outcome: "ok", detail: expect.stringMatching(/HTTP 204, attempt 1/) })]);
    expect(ok.bodies.map((b) => (b as { address: string }).address).sort()).toEqual(["system.ci01", "system.db01", "system.legacy01", "system.web01", "system.web02"]);
  });
});

describe("beforeProvision and onFailure", () => {
  it("a hook past its timeout fails the system before its files are written, and onFailure is told why", async () => {
    const d = lab({
      "plugins/gate.ts": `import { writeFileSync } from "node:fs";
import { definePlugin } from "bootplan/plugin";
export default definePlugin({
  name: "gate", version: "1.0.0", appliesTo: { names: ["web01"] }, timeouts: { beforeProvision: 100 },
  beforeProvision: () => new Promise<void>(() => {}),
  onFailure: (ctx) => writeFileSync(ctx.env.GATE_REPORT!, JSON.stringify({ address: ctx.address, error: ctx.error })),
});
`,
    });
    const report = join(d, "gate-report.json");
    const r = await runCli(["apply", d, "--auto-approve", "--target", "system.web01"], { GATE_REPORT: report });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: system\.web01: plugin gate: hook beforeProvision for system\.web01 failed: timed out after 100 ms;/);
    expect(r.stdout).toMatch(/^system\.web01: plugin gate beforeProvision timeout: timed out after 100 ms \(\d+ ms\)$/m);
    expect(r.stdout).toMatch(/^system\.web01: plugin gate onFailure ok \(\d+ ms\)$/m);
    expect(JSON.parse(readFileSync(report, "utf8"))).toEqual({ address: "system.web01", error: "plugin gate: hook beforeProvision for system.web01 failed: timed out after 100 ms" });
    expect(existsSync(join(d, ".bootplan/root/http/answers/web01.cfg"))).toBe(false);
    expect(stateOf(d).resources["system.web01"]).toBeUndefined();
  });
});
