/** A plan that destroys resources because their declaring file disappeared says which file that was. */
import { renameSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();

describe("destroys name the file each resource was last declared in", () => {
  it("a removed systems.yaml shows as destroys naming systems.yaml, text and JSON", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    rmSync(join(d, "systems.yaml"));
    const text = await runCli(["plan", d, "--no-color"]);
    expect(text.stdout).toMatch(/- system\.web01 \(last declared in systems\.yaml, no longer declared\)/);
    const json = JSON.parse((await runCli(["plan", d, "--json"])).stdout) as { changes: { address: string; action: string; declaredIn?: string }[] };
    expect(json.changes.find((c) => c.address === "system.web01")).toMatchObject({ action: "delete", declaredIn: "systems.yaml" });
    expect(json.changes.find((c) => c.address === "distro.debian-12-amd64")).toBeUndefined();
  });

  it("a systems.yaml replaced by a link fails the plan instead of destroying its systems", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    renameSync(join(d, "systems.yaml"), join(d, "systems.txt"));
    symlinkSync("systems.txt", join(d, "systems.yaml"));
    const r = await runCli(["plan", d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/systems\.yaml: is a symbolic link/);
    expect(r.stdout).toBe("");
  });
});

describe("a lost state key", () => {
  it("the plan says secret digests cannot be checked instead of silently showing every secret as changed", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    rmSync(join(d, ".bootplan/state.json.key"));
    const r = await runCli(["plan", d, "--no-color"]);
    expect(r.stdout).toMatch(/^Warning: secret digests cannot be checked: state key missing \(.*state\.json\.key/m);
    expect(r.stdout).toMatch(/secretDigests/);
    // Plan only looks: the warning stays until an apply records digests under a new key.
    expect((await runCli(["plan", d, "--no-color"])).stdout).toMatch(/state key missing/);
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const again = await runCli(["plan", d, "--no-color", "--detailed-exitcode"]);
    expect(again).toMatchObject({ code: 0, stdout: "No changes.\n" });
  });
});
