/**
 * The install-done callback against a real applied lab (file state, lock, files on disk): the token
 * is checked, a valid call flips the system to local boot once, anything else changes nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSession, withStateLock } from "../../../src/cli/session.js";
import type { Io } from "../../../src/cli/output.js";
import { installDone, type CallbackContext } from "../../../src/serve/callback.js";
import { installToken } from "../../../src/secrets/install-token.js";
import { stateKey } from "../../../src/secrets/secrets.js";
import { editStackFile, runCli, tempStacks } from "../../helpers/stack.js";

const newStack = tempStacks();
const io: Io = { out: () => {}, err: () => {}, isTty: false, env: process.env };

/** A lab whose web02 is `netboot: once`, applied. */
async function onceLab(): Promise<{ dir: string; ctx: CallbackContext; root: string }> {
  const dir = newStack();
  editStackFile(dir, "systems.yaml", /(  web02:\n    profile: web\n)/, "$1    netboot: once\n");
  const r = await runCli(["apply", dir, "--auto-approve"]);
  expect(r.stderr).toBe("");
  const s = await openSession(dir, io);
  const ctx: CallbackContext = {
    stack: s.stack, store: s.store, key: stateKey(s.stack.state.path), secrets: s.secrets,
    withLock: (fn) => withStateLock(s.backend, "test install-done", {}, fn),
    now: () => new Date("2026-11-23T12:00:00Z"),
  };
  return { dir, ctx, root: s.stack.provisioningRoot };
}

const read = (root: string, rel: string) => readFileSync(join(root, rel), "utf8");
const stateText = (dir: string) => readFileSync(join(dir, ".bootplan/state.json"), "utf8");

describe("install-done callback", () => {
  it("writes the real token into the answer file only; plans and state show it masked", async () => {
    const { dir, ctx, root } = await onceLab();
    const token = installToken(ctx.key, "lab", "web02");
    expect(read(root, "http/answers/web02.cfg")).toContain(`d-i preseed/late_command string wget -q -O /dev/null http://10.0.2.2:8080/install-done/web02?token=${token}\n`);
    expect(stateText(dir)).not.toContain(token);
    const fresh = newStack();
    editStackFile(fresh, "systems.yaml", /(  web02:\n    profile: web\n)/, "$1    netboot: once\n");
    const plan = await runCli(["plan", fresh, "--show-new-files"]);
    expect(plan.stdout).toContain("install-done/web02?token=(sensitive)");
    expect(plan.stdout).not.toMatch(/token=(?!\(sensitive\))/);
  });

  it("records the install and flips every boot config of the system to the local disk; the next plan is clean", async () => {
    const { dir, ctx, root } = await onceLab();
    expect(read(root, "http/ipxe/52-54-00-12-34-02.ipxe")).toContain("kernel ");
    const r = await installDone(ctx, "web02", installToken(ctx.key, "lab", "web02"));
    expect(r).toEqual({ status: 200, message: "install-done for web02: install recorded at 2026-11-23T12:00:00.000Z; its boot configs now boot the local disk" });
    expect(read(root, "http/ipxe/52-54-00-12-34-02.ipxe")).toContain("sanboot --no-describe --drive 0x80 || exit\n");
    expect(read(root, "tftp/pxelinux.cfg/01-52-54-00-12-34-02")).toContain("LOCALBOOT 0");
    expect(read(root, "tftp/grub/grub.cfg-01-52-54-00-12-34-02")).toMatch(/\nexit\n$/);
    expect(JSON.parse(stateText(dir)).resources["system.web02"].outputs.installedAt).toBe("2026-11-23T12:00:00.000Z");
    const plan = await runCli(["plan", dir, "--detailed-exitcode"]);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  });

  it("refuses a wrong or missing token and changes nothing", async () => {
    const { dir, ctx, root } = await onceLab();
    const before = stateText(dir);
    const wrong = installToken(ctx.key, "lab", "web01"); // another system's token
    expect(await installDone(ctx, "web02", wrong)).toEqual({ status: 403, message: "install-done for web02 with a wrong or missing token: rejected, nothing changed" });
    expect((await installDone(ctx, "web02", undefined)).status).toBe(403);
    expect((await installDone({ ...ctx, key: "another key" }, "web02", installToken(ctx.key, "lab", "web02"))).status).toBe(403);
    expect(stateText(dir)).toBe(before);
    expect(read(root, "http/ipxe/52-54-00-12-34-02.ipxe")).toContain("kernel ");
  });

  it("answers a replay without changing the recorded install", async () => {
    const { dir, ctx } = await onceLab();
    const token = installToken(ctx.key, "lab", "web02");
    await installDone(ctx, "web02", token);
    const after = stateText(dir);
    const again = await installDone({ ...ctx, now: () => new Date("2026-11-24T00:00:00Z") }, "web02", token);
    expect(again).toEqual({ status: 409, message: "install-done for web02 replayed: its install was recorded at 2026-11-23T12:00:00.000Z; nothing changed" });
    expect(stateText(dir)).toBe(after);
  });

  it("ignores unknown systems and systems that are not netboot: once", async () => {
    const { ctx } = await onceLab();
    expect(await installDone(ctx, "nope", "x")).toEqual({ status: 404, message: 'install-done for unknown system "nope": ignored' });
    expect(await installDone(ctx, "__proto__", "x")).toMatchObject({ status: 404 });
    expect(await installDone(ctx, "web01", installToken(ctx.key, "lab", "web01"))).toMatchObject({ status: 409 });
  });

  it("re-arms the installer when the system is reinstalled with another distro", async () => {
    const { dir, ctx, root } = await onceLab();
    await installDone(ctx, "web02", installToken(ctx.key, "lab", "web02"));
    editStackFile(dir, "profiles.yaml", /(  web:\n    inherits: base-debian\n)/, "$1    distro: ubuntu-24.04-amd64\n    answerFile: {format: autoinstall}\n");
    const r = await runCli(["apply", dir, "--auto-approve"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/system\.web02: replac/);
    expect(read(root, "http/ipxe/52-54-00-12-34-02.ipxe")).toContain("kernel ");
    expect(JSON.parse(stateText(dir)).resources["system.web02"].outputs.installedAt).toBeUndefined();
  });
});
