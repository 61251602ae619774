/**
 * A stack's own answer template cannot hang a run or mangle a secret, and a signal ends a run with its
 * state lock released. Runs the built CLI as a real process, as a user would.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, REPO, runBin, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();

/** The lab stack with profile base-debian rendering `template` as its preseed. */
function withTemplate(template: string): string {
  const d = lab({ "templates/custom.preseed": template });
  editStackFile(d, "profiles.yaml", "    distro: debian-12-amd64\n", "    distro: debian-12-amd64\n    answerFile: {format: preseed, template: templates/custom.preseed}\n");
  return d;
}

describe("answer templates from the stack", () => {
  it("a loop without end fails validate and plan with the limit named, and leaves no lock", () => {
    const d = withTemplate("{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}\n");
    for (const cmd of ["validate", "plan"]) {
      const r = runBin([cmd, d]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/template render limit exceeded.*ran longer than 5s/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect(existsSync(join(d, ".bootplan/state.json.lock"))).toBe(false);
  });

  it("a template growing a string without end fails on the memory limit", () => {
    const d = withTemplate("{% assign s = 'xxxxxxxx' %}{% for i in (1..80) %}{% assign s = s | append: s %}{% endfor %}{{ s }}\n");
    const r = runBin(["plan", d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/memory alloc limit exceeded/);
  });

  it("a filter on the secret is an error, not a mangled marker in the file", () => {
    const d = withTemplate("d-i passwd/root-password-crypted password {{ rootPasswordHash | upcase }}\n");
    const r = runBin(["validate", d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rootPasswordHash is changed by a filter or test in the template/);
    const ok = withTemplate("d-i passwd/root-password-crypted password {{ rootPasswordHash | one_line }}\n");
    expect(runBin(["validate", ok]).code).toBe(0);
  });
});

describe("signals", () => {
  it("SIGTERM during an apply ends it and releases the state lock", async () => {
    const d = lab();
    // Make the apply slow enough to catch while it holds the lock: many systems.
    const more = Array.from({ length: 400 }, (_, i) => {
      const h = (i + 16).toString(16).padStart(4, "0");
      return `  gen${i}: {profile: web, hostname: gen${i}.lab.example, interfaces: [{mac: "52:54:01:00:${h.slice(0, 2)}:${h.slice(2)}"}], attributes: {arch: x86_64, firmware: uefi, memoryMiB: 4096}}`;
    });
    editStackFile(d, "systems.yaml", "systems:\n", `systems:\n${more.join("\n")}\n`);
    const lock = join(d, ".bootplan/state.json.lock");
    const child = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), "apply", d, "--auto-approve", "--parallelism", "1"], { stdio: "ignore" });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })));
    for (let i = 0; i < 600 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(lock)).toBe(true);
    child.kill("SIGTERM");
    const end = await exited;
    expect(end.signal ?? end.code).toBeTruthy();
    expect(existsSync(lock)).toBe(false);
    // What it did is kept: the next apply finishes the rest.
    expect(runBin(["apply", d, "--auto-approve"]).code).toBe(0);
    expect(runBin(["plan", d, "--detailed-exitcode"]).code).toBe(0);
  });
});
