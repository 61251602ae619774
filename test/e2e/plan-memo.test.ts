/**
 * The plan memo (cli/plan-memo.ts): a plan that changed nothing is remembered beside the state, and the
 * next plan of the same stack, code, secrets and state answers from it after checking reality. Anything
 * a plan depends on that changed since makes it plan in full. A marker warning written into the memo
 * shows which way a plan went.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
const MARK = "(answered from the plan memo)";
const memoFile = (d: string): string => join(d, ".bootplan/state.json.plan-memo");

/** Edits the memo on disk (keeping its shape) and adds the marker to its plan. */
function markMemo(d: string, edit: (m: Record<string, any>) => void = () => {}): void {
  const m = JSON.parse(readFileSync(memoFile(d), "utf8"));
  m.plan.warnings.push(MARK);
  edit(m);
  writeFileSync(memoFile(d), JSON.stringify(m));
}

/** An applied lab stack whose memo is written (by a no-op plan) and marked. */
async function remembered(): Promise<string> {
  const d = lab();
  expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
  expect(existsSync(memoFile(d))).toBe(false);
  expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
  markMemo(d);
  return d;
}

describe("plan memo: a repeated no-op plan", () => {
  it("is answered from the memo, printed as the full plan prints it in every format", async () => {
    const d = lab();
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    const full = { text: await runCli(["plan", d, "--detailed-exitcode"], { BOOTPLAN_PLAN_MEMO: "0" }), json: await runCli(["plan", d, "--json"], { BOOTPLAN_PLAN_MEMO: "0" }), md: await runCli(["plan", d, "--markdown"], { BOOTPLAN_PLAN_MEMO: "0" }) };
    expect(existsSync(memoFile(d))).toBe(false);
    expect((await runCli(["plan", d])).code).toBe(0);
    expect(existsSync(memoFile(d))).toBe(true);
    const memo = JSON.parse(readFileSync(memoFile(d), "utf8"));
    // The secret is kept as its keyed digest, never in clear.
    expect(readFileSync(memoFile(d), "utf8")).not.toContain(readFileSync(join(d, "secrets/demo-root-password.hash"), "utf8").trim());
    expect(memo.secrets.digests["root-password"]).toMatch(/^hmac-sha256:/);
    expect(await runCli(["plan", d, "--detailed-exitcode"])).toEqual(full.text);
    expect(await runCli(["plan", d, "--json"])).toEqual(full.json);
    expect(await runCli(["plan", d, "--markdown"])).toEqual(full.md);
    markMemo(d);
    const again = await runCli(["plan", d, "--json"]);
    expect(JSON.parse(again.stdout).warnings).toEqual([MARK]);
  });

  it("still finds files in the root that bootplan did not write, and keeps reporting those it found", async () => {
    const d = await remembered();
    writeFileSync(join(d, ".bootplan/root/http/answers/stray.cfg"), "x");
    const out = (await runCli(["plan", d])).stdout;
    expect(out).toContain(MARK);
    expect(out).toMatch(/1 file\(s\) in .* that bootplan did not write.*http\/answers\/stray\.cfg/);
    // A full plan keeps a memo of that walk; while no folder moves, it is what the memo reports.
    const full = (await runCli(["plan", d], { BOOTPLAN_PLAN_MEMO: "0" })).stdout;
    markMemo(d, (m) => (m.filesId = "x"));
    expect((await runCli(["plan", d])).stdout).toBe(full);
    const files = `${memoFile(d)}.files`;
    const list = JSON.parse(readFileSync(files, "utf8"));
    expect(list.walked.unexpected).toEqual(["http/answers/stray.cfg"]);
    // Proof the kept walk is what is reported: a name planted in it shows.
    list.walked.unexpected.push("http/answers/planted.cfg");
    writeFileSync(files, JSON.stringify(list));
    expect((await runCli(["plan", d])).stdout).toMatch(/2 file\(s\) .*http\/answers\/stray\.cfg, http\/answers\/planted\.cfg/);
    // A second stray file moves its folder: the root is walked again.
    writeFileSync(join(d, ".bootplan/root/tftp/grub/stray2"), "x");
    expect((await runCli(["plan", d])).stdout).toMatch(/2 file\(s\) in .* that bootplan did not write.*http\/answers\/stray\.cfg, tftp\/grub\/stray2/);
  });

  it("is not used with --target, --refresh=full, BOOTPLAN_PLAN_MEMO=0 or --out (which keeps a fresh one)", async () => {
    const d = await remembered();
    expect((await runCli(["plan", d, "--target", "system.web01"])).stdout).not.toContain(MARK);
    expect((await runCli(["plan", d, "--refresh=full"])).stdout).not.toContain(MARK);
    expect((await runCli(["plan", d], { BOOTPLAN_PLAN_MEMO: "0" })).stdout).not.toContain(MARK);
    expect((await runCli(["plan", d])).stdout).toContain(MARK);
    // A saved plan needs the loaded stack: --out plans in full, and keeps what it planned as the memo.
    expect((await runCli(["plan", d, "--out", join(d, "p.plan")])).stdout).not.toContain(MARK);
    expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
  });
});

describe("plan memo: anything a plan depends on that changed plans in full", () => {
  it("a stack file edited", async () => {
    const d = await remembered();
    editStackFile(d, "systems.yaml", /^(\s+)profile: web$/m, "$1profile: web\n$1kernelArgs: [quiet]");
    const out = (await runCli(["plan", d])).stdout;
    expect(out).not.toContain(MARK);
    expect(out).toMatch(/~ system\.web01/);
  });

  it("a stack file added", async () => {
    const d = await remembered();
    writeFileSync(join(d, "extra.yaml"), "repos:\n  extra:\n    url: http://deb.example/extra\n    suite: bookworm\n    components: [main]\n");
    const out = await runCli(["plan", d]);
    expect(out.stdout).not.toContain(MARK);
    expect(out.stdout).toMatch(/\+ repo\.extra/);
  });

  it("a rendered file changed or removed outside bootplan", async () => {
    const d = await remembered();
    appendFileSync(join(d, ".bootplan/root/tftp/pxelinux.cfg/01-52-54-00-12-34-01"), "# edited\n");
    const changed = (await runCli(["plan", d])).stdout;
    expect(changed).not.toContain(MARK);
    expect(changed).toContain("changed outside bootplan");
    const e = await remembered();
    rmSync(join(e, ".bootplan/root/http/ipxe/52-54-00-12-34-01.ipxe"));
    const gone = (await runCli(["plan", e])).stdout;
    expect(gone).not.toContain(MARK);
    expect(gone).toMatch(/~ system\.web01/);
  });

  it("a secret's value changed", async () => {
    const d = await remembered();
    writeFileSync(join(d, "secrets/demo-root-password.hash"), "$6$other$hash\n");
    const out = (await runCli(["plan", d])).stdout;
    expect(out).not.toContain(MARK);
    expect(out).toMatch(/~ system\./);
  });

  it("the state changed (an apply), and a state file rewritten by hand", async () => {
    const d = await remembered();
    editStackFile(d, "systems.yaml", /^(\s+)profile: web$/m, "$1profile: web\n$1kernelArgs: [quiet]");
    expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
    editStackFile(d, "systems.yaml", /\n\s+kernelArgs: \[quiet\]/, "");
    // The stack is back as the memo knew it, the state is not: web01 must change back.
    expect((await runCli(["plan", d])).stdout).toMatch(/~ system\.web01/);
    const e = await remembered();
    const state = join(e, ".bootplan/state.json");
    writeFileSync(state, readFileSync(state, "utf8"));
    expect((await runCli(["plan", e])).stdout).not.toContain(MARK);
  });

  it("another version of bootplan, or a loader on the host that is no longer what was hashed", async () => {
    const d = await remembered();
    markMemo(d, (m) => (m.code = "another"));
    expect((await runCli(["plan", d])).stdout).not.toContain(MARK);
    const e = await remembered();
    markMemo(e, (m) => (m.hostFiles[0][1] = "0".repeat(64)));
    expect((await runCli(["plan", e])).stdout).not.toContain(MARK);
  });

  it("a memo that is damaged or from another format is ignored", async () => {
    const d = await remembered();
    writeFileSync(memoFile(d), "{not json");
    expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
    markMemo(d, (m) => (m.format = 0));
    expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
    // The list of recorded files is kept apart, and must be the one the memo names.
    markMemo(d, (m) => (m.filesId = "another"));
    expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
    markMemo(d);
    rmSync(`${memoFile(d)}.files`);
    expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
    // A memo that cannot be written (here a folder where its list goes) leaves the plan as it is.
    rmSync(`${memoFile(d)}.files`);
    mkdirSync(`${memoFile(d)}.files`);
    markMemo(d);
    const plan = await runCli(["plan", d, "--detailed-exitcode"]);
    expect(plan).toEqual({ code: 0, stdout: "No changes.\n", stderr: "" });
  });
});
