/** What the decision does to plan and apply: notes, inputs, --target scoping, and failure before any write. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { editStackFile, REPO, runCli } from "../../helpers/stack.js";
import { lab, planErrors, planJson } from "./helpers.js";

/** Makes web02 (BIOS) incompatible with nginx; web01 (UEFI) stays compatible. */
function breakWeb02(d: string): void {
  editStackFile(d, "packages.yaml", "memoryMiB: {min: 1024}", "firmware: [uefi]");
}

describe("plan notes", () => {
  it("shows, in text, the external list that made a system's install possible", async () => {
    const r = await runCli(["plan", lab(), "--no-lock"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const at = lines.findIndex((l) => l.trim() === "+ system.ci01");
    expect(lines[at + 1]).toMatch(/^ {6}# uses external list ubuntu-noble-validated for gpu-driver 550\.54 \(.*overrides\/ubuntu-noble\.yaml:4\)$/);
    expect(r.stdout.match(/# uses external list/g)).toHaveLength(1);
  });

  it("puts notes and the governing list into JSON that validates against the plan schema", async () => {
    const plan = await planJson(lab());
    const schema = JSON.parse(readFileSync(join(REPO, "schemas/plan.schema.json"), "utf8"));
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(plan), JSON.stringify(validate.errors)).toBe(true);
    const ci01 = plan.changes.find((c) => c.address === "system.ci01")!;
    expect(ci01.notes!.filter((n) => !n.startsWith("by plugin "))).toHaveLength(1); // the lab's plugins add their own
    expect(ci01.fields).toContainEqual({ path: "compat", new: expect.stringMatching(/^ubuntu-noble-validated #[0-9a-f]{12}$/) });
  });
});

describe("plan scope and side effects", () => {
  it("fails the plan naming every incompatible target, and --target limits failure to the chosen targets", async () => {
    const d = lab();
    breakWeb02(d);
    expect(await planErrors(d)).toEqual([expect.stringMatching(/^system\.web02: package nginx 1\.22\.1: firmware bios is not one of \[uefi\]/)]);
    const ok = await planJson(d, "--target", "system.web01");
    expect(ok.changes.map((c) => c.address)).toContain("system.web01");
    expect(await planErrors(d, "--target", "system.web02")).toHaveLength(1);
  });

  it("applies nothing when any target is incompatible", async () => {
    const d = lab();
    breakWeb02(d);
    const r = await runCli(["apply", d, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: system\.web02: package nginx/);
    expect(existsSync(join(d, ".bootplan/root"))).toBe(false);
    expect(existsSync(join(d, ".bootplan/state.json"))).toBe(false);
  });

  it("changes the plan exactly for the targets a changed external list governs", async () => {
    const d = lab();
    const applied = await runCli(["apply", d, "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await planJson(d)).changes).toEqual([]);
    editStackFile(d, "overrides/ubuntu-noble.yaml", "ubuntu-24.04]", "ubuntu-24.04, ubuntu-24.10]");
    const plan = await planJson(d);
    expect(plan.changes.map((c) => [c.address, c.action])).toEqual([["system.ci01", "update"]]);
    // The list's name stays; the digest of what it declares changes.
    expect(plan.changes[0].fields).toEqual([
      { path: "compat", old: expect.stringMatching(/^ubuntu-noble-validated #[0-9a-f]{12}$/), new: expect.stringMatching(/^ubuntu-noble-validated #[0-9a-f]{12}$/) },
    ]);
    expect(plan.changes[0].fields[0].old).not.toBe(plan.changes[0].fields[0].new);
  });
});
