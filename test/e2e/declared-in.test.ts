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
