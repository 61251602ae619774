/**
 * The delta plan (cli/plan-delta.ts): after a no-op plan kept its memo, a change to files that declare
 * systems alone is planned from those systems and the memo. Whichever way a plan goes, it must print and
 * save exactly what the full plan (BOOTPLAN_PLAN_MEMO=0) does; a memo whose resource count is marked
 * shows which way it went (the delta plan counts the unchanged rest from the memo).
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
const MARKED = 1000;
const FULL = { BOOTPLAN_PLAN_MEMO: "0" };

/** An applied lab stack with its memo, the memo's count of unchanged resources raised by MARKED. */
async function withMarkedMemo(): Promise<string> {
  const d = lab();
  expect((await runCli(["apply", d, "--auto-approve"])).code).toBe(0);
  expect((await runCli(["plan", d])).stdout).toBe("No changes.\n");
  const file = join(d, ".bootplan/state.json.plan-memo");
  const memo = JSON.parse(readFileSync(file, "utf8"));
  memo.plan.summary.unchanged += MARKED;
  writeFileSync(file, JSON.stringify(memo));
  return d;
}

/** The plan as JSON and saved, through the memo and in full; whether the delta plan was used. */
async function bothWays(d: string): Promise<{ delta: boolean }> {
  const viaMemo = await runCli(["plan", d, "--json", "--out", join(d, "memo.plan")]);
  const full = await runCli(["plan", d, "--json", "--out", join(d, "full.plan")], FULL);
  expect(viaMemo.stderr).toBe("");
  expect(viaMemo.code).toBe(0);
  const a = JSON.parse(viaMemo.stdout), b = JSON.parse(full.stdout);
  const delta = a.summary.unchanged === b.summary.unchanged + MARKED;
  if (delta) a.summary.unchanged -= MARKED;
  expect(a).toEqual(b);
  const saved = (f: string) => JSON.parse(readFileSync(join(d, f), "utf8"));
  const fromMemo = saved("memo.plan");
  if (delta) fromMemo.plan.summary.unchanged -= MARKED;
  expect(fromMemo).toEqual(saved("full.plan"));
  return { delta };
}

const kernelArgs = (d: string, system = "web01") =>
  editStackFile(d, "systems.yaml", new RegExp(`(  ${system}:\\n(?:    .*\\n)*?)(    profile: \\S+\\n)`), "$1$2    kernelArgs: [quiet]\n");

describe("plan delta: a change to systems alone", () => {
  it("plans a changed system's boot options from it and the memo, exactly as the full plan", async () => {
    const d = await withMarkedMemo();
    kernelArgs(d);
    expect(await bothWays(d)).toEqual({ delta: true });
    expect(JSON.parse((await runCli(["plan", d, "--json"])).stdout).changes.map((c: { address: string }) => c.address)).toEqual(["system.web01"]);
    // The saved delta plan applies, and the stack is then in step.
    expect((await runCli(["apply", join(d, "memo.plan")])).code).toBe(0);
    expect(readFileSync(join(d, ".bootplan/root/tftp/pxelinux.cfg/01-52-54-00-12-34-01"), "utf8")).toMatch(/ quiet/);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });

  it("plans in full what changes files all systems share: a handoff's class, a hostname, a system added or removed", async () => {
    for (const edit of [
      (d: string) => editStackFile(d, "systems.yaml", "port: 9090", "port: 9191"),
      (d: string) => editStackFile(d, "systems.yaml", "hostname: db01.lab.example", "hostname: db01b.lab.example"),
      (d: string) => editStackFile(d, "systems.yaml", /  web02:\n(?:    .*\n)+\n/, ""),
      (d: string) => appendFileSync(join(d, "systems.yaml"), "\n  web03:\n    profile: web\n    hostname: web03.lab.example\n    interfaces: [{mac: \"52:54:00:12:34:09\"}]\n    attributes: {arch: x86_64, firmware: bios, memoryMiB: 4096}\n"),
    ]) {
      const d = await withMarkedMemo();
      edit(d);
      expect(await bothWays(d)).toEqual({ delta: false });
    }
  });

  it("plans in full when a changed file declares more than systems, or the fleet's files drifted", async () => {
    const d = await withMarkedMemo();
    editStackFile(d, "profiles.yaml", /^(\s+)kernelArgs: \[/m, "$1kernelArgs: [nomodeset, ");
    expect(await bothWays(d)).toEqual({ delta: false });
    const e = await withMarkedMemo();
    kernelArgs(e);
    appendFileSync(join(e, ".bootplan/root/tftp/pxelinux.cfg/01-52-54-00-12-34-03"), "# edited\n");
    expect(await bothWays(e)).toEqual({ delta: false });
    expect((await runCli(["plan", e])).stdout).toContain("changed outside bootplan");
  });

  it("plans in full when a changed file declared more than systems before, or does now", async () => {
    const d = await withMarkedMemo();
    const file = join(d, ".bootplan/state.json.plan-memo");
    const memo = JSON.parse(readFileSync(file, "utf8"));
    memo.mixed.push("systems.yaml");
    writeFileSync(file, JSON.stringify(memo));
    kernelArgs(d);
    expect(await bothWays(d)).toEqual({ delta: false });
    const e = await withMarkedMemo();
    kernelArgs(e);
    appendFileSync(join(e, "systems.yaml"), "\nrepos:\n  extra: {url: http://deb.example/extra, suite: bookworm, components: [main]}\n");
    expect(await bothWays(e)).toEqual({ delta: false });
  });

  it("plans in full when the state does not say which file declared a system (its removal would go unseen)", async () => {
    const d = await withMarkedMemo();
    const file = join(d, ".bootplan/state.json.plan-memo");
    const memo = JSON.parse(readFileSync(file, "utf8"));
    const web02 = (a: string) => a === "system.web02" || a.endsWith(".web02");
    memo.declared[""] = memo.declared["systems.yaml"].filter(web02);
    memo.declared["systems.yaml"] = memo.declared["systems.yaml"].filter((a: string) => !web02(a));
    writeFileSync(file, JSON.stringify(memo));
    editStackFile(d, "systems.yaml", /  web02:\n(?:    .*\n)+\n/, "");
    expect(await bothWays(d)).toEqual({ delta: false });
  });

  it("plans several changed systems in one file, and a system whose profile changed", async () => {
    const d = await withMarkedMemo();
    kernelArgs(d, "web01");
    kernelArgs(d, "db01");
    expect(await bothWays(d)).toEqual({ delta: true });
    const e = await withMarkedMemo();
    editStackFile(e, "systems.yaml", /(  web02:\n    profile: )web/, "$1db");
    const way = await bothWays(e);
    // Its handoffs take the new profile's bindings: their classes change, so the indexes are planned too.
    expect(way).toEqual({ delta: false });
  });
});
