/**
 * Version order checked against the real tools over a generated table of a few thousand pairs:
 * `dpkg --compare-versions` for the dpkg scheme, rpm's own `rpm.vercmp` (through `rpm --eval` and its
 * Lua interpreter) for the rpm scheme. Skipped with a reason when a tool is missing; failed under CI.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareDebianVersions, compareRpmVersions, compareVersions, satisfies, parseRange } from "../../../src/compat/version.js";

const PAIRS = Number(process.env.BOOTPLAN_FUZZ === "1" ? 10000 : 2000);

function has(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args).status === 0;
}

/** A deterministic table: hand-picked edge cases plus generated versions from the characters both tools treat specially. */
function table(n: number, seed: number): [string, string][] {
  const edge: [string, string][] = [
    ["1.0", "1.0-0"], ["1.a", "1.1"], ["1.0~rc1", "1.0"], ["1.0", "1.0+"], ["1:1.0", "2.0"], ["0:1.0", "1.0"], ["1.0^1", "1.0"],
    ["1.0.a", "1.0.1"], ["01", "1"], ["1.0-1", "1.0-1.1"], ["a", "b"], ["1.0a", "1.0"], ["2.0", "10.0"], ["1~~", "1~"], ["1.0-0", "1.0-00"],
  ];
  let s = seed >>> 0;
  const rand = (k: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % k;
  };
  const atoms = ["0", "1", "2", "9", "10", "01", "a", "b", "z", "A", "rc", "~", "+", ".", "-", "^", "_"];
  const gen = (): string => {
    let v = String(rand(5));
    const len = rand(6);
    for (let i = 0; i < len; i++) v += atoms[rand(atoms.length)];
    if (rand(6) === 0) v = `${rand(3)}:${v}`;
    return v;
  };
  const out = [...edge];
  while (out.length < n) {
    const a = gen();
    // Half the pairs share a prefix, where the interesting decisions are.
    const b = rand(2) ? a.slice(0, rand(a.length + 1)) + gen().slice(1) : gen();
    out.push([a, b]);
  }
  return out;
}

/** dpkg's verdict per pair, from one shell running dpkg per pair (strings dpkg refuses as versions are left out). */
function dpkgVerdicts(pairs: [string, string][]): (number | undefined)[] {
  const script = 'while IFS=" " read -r a b; do dpkg --compare-versions "$a" lt "$b" 2>/dev/null; r=$?; if [ $r = 0 ]; then echo -1; elif [ $r = 1 ]; then if dpkg --compare-versions "$a" gt "$b" 2>/dev/null; then echo 1; else echo 0; fi; else echo x; fi; done';
  const r = spawnSync("sh", ["-c", script], { input: pairs.map(([a, b]) => `${a} ${b}`).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 26 });
  return r.stdout.trim().split("\n").map((l) => (l === "x" ? undefined : Number(l)));
}

/** rpm's verdict per pair, all in one rpm process reading the pairs from a file. */
function rpmVerdicts(pairs: [string, string][]): number[] {
  const file = join(mkdtempSync(join(tmpdir(), "bootplan-rpmvercmp-")), "pairs");
  writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}`).join("\n") + "\n");
  const lua = `%{lua: for line in io.lines(${JSON.stringify(file)}) do local a, b = line:match("^(%S*) (%S*)$") io.write(rpm.vercmp(a, b), "\\n") end}`;
  const r = spawnSync("rpm", ["--eval", lua], { encoding: "utf8", maxBuffer: 1 << 26 });
  rmSync(dirname(file), { recursive: true, force: true });
  return r.stdout.trim().split("\n").map(Number);
}

function requireTool(ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI === "true") throw new Error(`${what} is needed for this test in CI`);
  console.log(`skipped: ${what} not available`);
  return false;
}

describe("version order against the real tools", () => {
  it(`agrees with dpkg --compare-versions on ${PAIRS} pairs`, () => {
    if (!requireTool(has("dpkg", ["--version"]), "dpkg")) return;
    const pairs = table(PAIRS, 9);
    const want = dpkgVerdicts(pairs);
    expect(want.length).toBe(pairs.length);
    const checked = pairs.filter((_, i) => want[i] !== undefined).length;
    expect(checked).toBeGreaterThan(PAIRS / 2);
    const wrong = pairs.filter((p, i) => want[i] !== undefined && compareDebianVersions(p[0], p[1]) !== want[i]).map((p, i) => `${p[0]} vs ${p[1]}`);
    expect(wrong).toEqual([]);
  });

  it(`agrees with rpm's rpm.vercmp on ${PAIRS} pairs`, () => {
    if (!requireTool(has("rpm", ["--version"]), "rpm")) return;
    const pairs = table(PAIRS, 11);
    const want = rpmVerdicts(pairs);
    expect(want.length).toBe(pairs.length);
    const wrong = pairs.filter((p, i) => compareRpmVersions(p[0], p[1]) !== want[i]).map((p) => `${p[0]} vs ${p[1]}`);
    expect(wrong).toEqual([]);
  });

  it("the two schemes differ where the tools do, and ranges use the package's scheme", () => {
    expect(compareVersions("1.a", "1.1", "dpkg")).toBe(1);
    expect(compareVersions("1.a", "1.1", "rpm")).toBe(-1);
    expect(compareVersions("1.0", "1.0-0", "dpkg")).toBe(0);
    expect(compareVersions("1.0", "1.0-0", "rpm")).toBe(-1);
    expect(satisfies("1.a", parseRange(">1.1"), "dpkg")).toBe(true);
    expect(satisfies("1.a", parseRange(">1.1"), "rpm")).toBe(false);
  });
});
