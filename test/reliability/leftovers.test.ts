/** Temp files a crash leaves in the root are reported by plan and removed by the next apply; strangers are reported, never removed. */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();

describe("leftovers in the provisioning root", () => {
  it("plan reports a dead writer's temp file and an unexpected file; apply removes only the temp file", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const root = join(d, ".bootplan/root");
    // pid 2^22+1 is above Linux's pid_max limit: no process can have it.
    const temp = join(root, "http/answers/.bootplan-tmp-4194305-3");
    const stranger = join(root, "tftp/pxelinux.cfg/01-aa-bb-cc-dd-ee-ff");
    writeFileSync(temp, "");
    writeFileSync(stranger, "DEFAULT evil\n");
    const plan = await runCli(["plan", d, "--no-color"]);
    expect(plan.stdout).toMatch(/^Warning: 1 temporary file\(s\) left in .* \(http\/answers\/\.bootplan-tmp-4194305-3\); the next apply removes them$/m);
    expect(plan.stdout).toMatch(/^Warning: 1 file\(s\) in .* that bootplan did not write, in folders it owns \(tftp\/pxelinux\.cfg\/01-aa-bb-cc-dd-ee-ff\)/m);
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(stranger)).toBe(true);
  });
});
