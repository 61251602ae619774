/** The state keeps rendered files as digests: plans still show real diffs, and apply still writes real text. */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
const answers = (d: string): string => join(d, ".bootplan/root/http/answers/web01.cfg");

describe("rendered files recorded as digests", () => {
  it("keeps no rendered text in the state, only a digest per file", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const text = readFileSync(join(d, ".bootplan/state.json"), "utf8");
    expect(text).not.toContain("d-i pkgsel/include");
    const web01 = JSON.parse(text).resources["system.web01"].outputs;
    expect(web01.files).toBeUndefined();
    expect(Object.keys(web01.fileDigests)).toContain("http/answers/web01.cfg");
  });

  it("diffs a changed file against the recorded text read back from the root, or says the old text is not kept", async () => {
    const d = lab();
    await runCli(["apply", d, "--auto-approve"]);
    editStackFile(d, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");
    const plan = await runCli(["plan", d, "--no-color"]);
    expect(plan.stdout).toMatch(/-d-i pkgsel\/include string openssh-server curl nginx\n\s+\+d-i pkgsel\/include string openssh-server curl nginx certbot\n/);
    // Someone changed the file on disk: its text is no longer the recorded one, so it is not shown as the old side.
    writeFileSync(answers(d), "edited by hand\n");
    // Without refresh (with it, the file shows as changed outside bootplan, against what is on disk).
    const blind = await runCli(["plan", d, "--no-color", "--refresh=false"]);
    expect(blind.stdout).toMatch(/-\(previous text not kept in state: sha256 [A-Za-z0-9_-]{43}\)\n/);
    expect(blind.stdout).not.toContain("edited by hand");
    rmSync(answers(d));
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect(readFileSync(answers(d), "utf8")).toContain("openssh-server curl nginx certbot");
  });

  it("a changed secret rewrites the files of systems whose rendering was reused, with the new value", async () => {
    const d = lab();
    await runCli(["apply", d, "--auto-approve"]);
    const secretFile = join(d, "secrets/demo-root-password.hash");
    const old = readFileSync(secretFile, "utf8").trim();
    const next = "$6$newsalt$" + "x".repeat(80);
    writeFileSync(secretFile, next + "\n");
    const plan = await runCli(["plan", d, "--no-color"]);
    expect(plan.stdout).toMatch(/~ system\.web01\n/);
    expect(plan.stdout).not.toContain(next);
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const written = readFileSync(answers(d), "utf8");
    expect(written).toContain(next);
    expect(written).not.toContain(old);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });
});
