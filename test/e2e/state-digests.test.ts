/** The state keeps rendered files as digests: plans still show real diffs, and apply still writes real text. */
import { createHash } from "node:crypto";
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

  it("records a file's byte hash only where it is not the file's digest, and sees drift of the others all the same", async () => {
    const d = lab();
    await runCli(["apply", d, "--auto-approve"]);
    const state = (): Record<string, { outputs: Record<string, Record<string, string>> }> => JSON.parse(readFileSync(join(d, ".bootplan/state.json"), "utf8")).resources;
    const rec = state();
    // The answer file holds the root password hash: its bytes are not its rendered text.
    expect(Object.keys(rec["system.web01"].outputs.fileHashes)).toEqual(["http/answers/web01.cfg"]);
    expect(rec["cm.puppet-prod.web01"].outputs.fileHashes).toBeUndefined();
    // The boot loader is copied, not rendered: only its hash says what was written.
    expect(Object.keys(rec["loader.ipxe.efi"].outputs.fileHashes)).toEqual(["tftp/ipxe.efi"]);
    // A file recorded by its digest alone, changed and then removed: both are drift, and apply repairs them.
    const ipxe = join(d, ".bootplan/root/http/ipxe/52-54-00-12-34-01.ipxe");
    const enc = join(d, ".bootplan/root/cm/puppet-prod/nodes/web01.lab.example.yaml");
    writeFileSync(ipxe, "#!ipxe\nexit\n");
    rmSync(enc);
    const drift = await runCli(["drift", d, "--no-color"]);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain("http/ipxe/52-54-00-12-34-01.ipxe");
    expect(drift.stdout).toContain("cm/puppet-prod/nodes/web01.lab.example.yaml");
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect(readFileSync(ipxe, "utf8")).toContain("bootplan: system web01");
    expect(readFileSync(enc, "utf8")).toContain("role::web");
    expect(state()["cm.puppet-prod.web01"].outputs.fileHashes).toBeUndefined();
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });

  it("reads a state that records every file's hash, as bootplan wrote it before, as unchanged", async () => {
    const d = lab();
    await runCli(["apply", d, "--auto-approve"]);
    const file = join(d, ".bootplan/state.json");
    const doc = JSON.parse(readFileSync(file, "utf8"));
    for (const r of Object.values(doc.resources) as { outputs: Record<string, Record<string, string>> }[]) {
      const digests = r.outputs.fileDigests;
      if (!digests) continue;
      const all: Record<string, string> = {};
      for (const rel of Object.keys(digests)) all[rel] = createHash("sha256").update(readFileSync(join(d, ".bootplan/root", rel))).digest("hex");
      r.outputs.fileHashes = { ...all, ...r.outputs.fileHashes };
    }
    writeFileSync(file, JSON.stringify(doc, null, 2));
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
    expect((await runCli(["drift", d])).code).toBe(0);
    // With that state, a removed file still shows and is written back.
    rmSync(answers(d));
    const plan = await runCli(["plan", d, "--no-color"]);
    expect(plan.stdout).toContain("+ http/answers/web01.cfg missing on disk");
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
    // An upgrade changes every render key: the apply that records the new keys sheds the duplicate hashes too.
    const again = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(again.resources["cm.puppet-prod.web01"].outputs.fileHashes)).toHaveLength(1);
    for (const r of Object.values(again.resources) as { outputs: Record<string, unknown> }[]) if (r.outputs.renderKey) r.outputs.renderKey = "from-an-older-bootplan";
    writeFileSync(file, JSON.stringify(again, null, 2));
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const slim = JSON.parse(readFileSync(file, "utf8")).resources;
    expect(slim["cm.puppet-prod.web01"].outputs.fileHashes).toBeUndefined();
    expect(Object.keys(slim["system.web02"].outputs.fileHashes)).toEqual(["http/answers/web02.cfg"]);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });
});
