/**
 * The pulumi-host executor against Pulumi's real dynamic-provider host: secrets reach the provider
 * but never its outputs, URNs are Pulumi's, and a hung or dead host is an error naming the resource.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openPulumiHostExecutor, type PulumiHostExecutor } from "../../../src/executor/pulumi-host/executor.js";
import { decodeProps, encodeProps, isPulumiSecret, resourceUrn } from "../../../src/executor/pulumi-host/wire.js";
import { ResourceError } from "../../../src/errors.js";
import { PROVIDERS } from "../../../src/providers/index.js";
import { prebuiltProviders } from "../../../src/pulumi/serialize-provider.js";

// Under vitest the providers cannot be serialized in this process (vitest rewrites their import()):
// the build's texts, made by the same call in plain Node, are what the CLI sends too.
const prebuilt = prebuiltProviders();
const open = (timeoutMs?: number): Promise<PulumiHostExecutor> =>
  openPulumiHostExecutor({ stack: "t", timeoutMs, serialized: async (kind) => prebuilt[kind] });

let executor: PulumiHostExecutor | undefined;
const roots: string[] = [];
afterEach(async () => {
  await executor?.close();
  executor = undefined;
  roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true }));
});
const newRoot = (): string => {
  const r = mkdtempSync(join(tmpdir(), "bootplan-host-root-"));
  roots.push(r);
  return r;
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("pulumi-host executor", () => {
  it("has the build's serialized providers for every kind (npm run build made them)", () => {
    expect(Object.keys(prebuilt).sort()).toEqual(Object.keys(PROVIDERS).sort());
  });

  it("encodes secrets as Pulumi secret values for a host that accepts them, plain for one that does not, and never decodes them back", () => {
    const props = { name: "web01", __secrets: { pw: "s3cret" } };
    const wrapped = encodeProps(props, "provider text", true).toJavaScript();
    expect(isPulumiSecret(wrapped.__secrets)).toBe(true);
    expect(wrapped.__provider).toBe("provider text");
    expect(encodeProps(props, "provider text", false).toJavaScript().__secrets).toEqual({ pw: "s3cret" });
    expect(decodeProps(encodeProps(props, "provider text", true))).toEqual({ name: "web01" });
    expect(resourceUrn("lab", "system", "system.web01")).toBe("urn:pulumi:lab::bootplan::pulumi-nodejs:dynamic/bootplan:system::system.web01");
  });

  it("writes the secret into the file and keeps it out of the outputs; stops its host on close", async () => {
    executor = await open();
    const root = newRoot();
    const system = executor.provider("system", "system.web01");
    const r = await system.create({ name: "web01", root, distro: "d", files: { "http/answers/web01.cfg": "pw ((secret:pw))\n" }, __secrets: { pw: "s3cret" } });
    expect(readFileSync(join(root, "http/answers/web01.cfg"), "utf8")).toBe("pw s3cret\n");
    expect(JSON.stringify(r.outs)).not.toMatch(/s3cret|__secrets|__provider/);
    const read = await system.read(r.id, r.outs);
    expect(read.props).toEqual(r.outs);
    const [pid] = executor.pids;
    await executor.close();
    expect(alive(pid)).toBe(false);
  });

  it("maps a provider's own failure to an error naming the resource", async () => {
    executor = await open();
    const root = newRoot();
    const err = await executor.provider("distro", "distro.d").create({ name: "d", root, kernel: { source: join(root, "missing"), sha256: "00", target: "tftp/images/d/linux" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceError);
    expect((err as ResourceError).message).toMatch(/^distro\.d: ENOENT: no such file or directory.*missing/);
  });

  it("fails an operation that outlasts its timeout, naming the resource, the operation and the host", async () => {
    executor = await open(1500);
    const [pid] = executor.pids;
    process.kill(pid, "SIGSTOP"); // a host that hangs
    try {
      const err = await executor.provider("profile", "profile.web").create({ name: "web" }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "executor.timeout" });
      expect((err as Error).message).toBe(`profile.web: create did not finish within 1.5 s in Pulumi's dynamic-provider host (pid ${pid})`);
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });

  it("reports a host that died, naming the resource and how the host ended", async () => {
    executor = await open();
    const [pid] = executor.pids;
    process.kill(pid, "SIGKILL");
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    const err = await executor.provider("repo", "repo.epel").create({ name: "epel" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "executor.host-failed" });
    expect((err as Error).message).toMatch(new RegExp(`^repo\\.epel: Pulumi's dynamic-provider host \\(pid ${pid}\\) (exited \\(SIGKILL\\)|stopped answering) during create`));
  });
});
