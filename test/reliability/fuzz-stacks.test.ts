/**
 * Property-based fuzz of stack files (fast-check): a mutated lab stack is validated and, when valid,
 * applied, by the real CLI. For every case: exit 0 or 1 only, no stack trace, no internal error,
 * every stack-file error names file:line:column, nothing written or deleted outside the provisioning
 * root, and no run exceeds a generous bound (a hang detector, not a speed test).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadStack } from "../../src/stack/load.js";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../helpers/stack.js";
import { bin, figure, LONG, SEED, tree } from "./campaign.js";

const FILES = ["stack.yaml", "systems.yaml", "profiles.yaml", "distros.yaml", "cm.yaml", "packages.yaml", "repos.yaml", "overrides/ubuntu-noble.yaml"];
/** Fragments a hostile or careless edit produces. */
const NASTY = [
  "&a [*a]", "x: &x [1, *x]", "__proto__: {polluted: 1}", "constructor: {profile: web, interfaces: [{mac: \"52:54:00:00:00:99\"}]}",
  "\0", "\t", "{{", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
  "- - -", ": :", "? complex", "---", "...", "!!js/function 'x'", "<<: *nowhere", "*undefined", "k: v\nk: v",
  "provisioningRoot: .", "provisioningRoot: ../../outside", "state: {path: /etc/bootplan-state.json}", "include: ['../*.yaml']",
  "mac: \"00:00:00:00:00:00\"", "ip: 0.0.0.0/0", "gateway: 10.0.2.15", "memoryMiB: -1", "hostname: web01.lab.example",
  "path: ../../../../etc/passwd", "template: ../../etc/shadow", "file: /etc/shadow", "name: \"../../x\"", "é\u2028\u202e",
];
const VALUES = ["-1", "0", "1e999", "null", "~", "[]", "{}", "\"\"", ".", "..", "../x", "/etc/passwd", "__proto__", "constructor", "\"52:54:00:12:34:01\"", "0.0.0.0/0", "255.255.255.255/32", "yes", "&a x", "*a", "\"{{ x }}\""];

type Mutation = { file: string; kind: "replace-line" | "insert" | "delete-line" | "dup-line" | "value" | "truncate"; at: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  file: fc.constantFrom(...FILES),
  // Value edits keep most stacks parseable, so validation and apply are exercised, not only the parser.
  kind: fc.oneof({ arbitrary: fc.constant("value" as const), weight: 4 }, { arbitrary: fc.constantFrom("replace-line", "insert", "delete-line", "dup-line", "truncate"), weight: 3 }),
  at: fc.nat(),
  text: fc.oneof({ arbitrary: fc.constantFrom(...VALUES), weight: 4 }, { arbitrary: fc.constantFrom(...NASTY), weight: 3 }, { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 1 }),
}) as fc.Arbitrary<Mutation>;

function mutate(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const i = m.at % Math.max(1, lines.length);
  switch (m.kind) {
    case "replace-line": lines[i] = m.text; break;
    case "insert": lines.splice(i, 0, (lines[i]?.match(/^\s*/)?.[0] ?? "") + m.text); break;
    case "delete-line": lines.splice(i, 1); break;
    case "dup-line": lines.splice(i, 0, lines[i] ?? ""); break;
    case "value": lines[i] = (lines[i] ?? "").replace(/:\s+\S.*$/, `: ${m.text}`); break;
    case "truncate": return text.slice(0, m.at % (text.length + 1));
  }
  return lines.join("\n");
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Messages of errors that are about a stack file but carry no position (whole-file problems). */
const WHOLE_FILE = /: (is a |is not a regular|cannot read this stack file|no such stack directory|not a stack)/;

describe("fuzzed stack files", () => {
  it("never crash, hang, lose a position or write outside the root", () => {
    const stats = { cases: 0, valid: 0, invalid: 0, applied: 0, hangs: 0, internal: 0, outside: 0 };
    const base = mkdtempSync(join(tmpdir(), "bootplan-fuzz-"));
    dirs.push(base);
    const canary = join(base, "canary");
    writeFileSync(canary, "untouched\n");
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 2 }), (muts) => {
        stats.cases++;
        const d = join(base, `case-${stats.cases}`);
        cpSync(join(REPO, "stacks/lab"), d, { recursive: true, filter: (s) => !s.includes(".bootplan") });
        for (const m of muts) writeFileSync(join(d, m.file), mutate(readFileSync(join(d, m.file), "latin1"), m), "latin1");
        const before = tree(d);
        const outsideBefore = Object.keys(tree(base)).filter((p) => !p.startsWith(`case-${stats.cases}/`)).length;
        const check = (args: string[]): number => {
          const r = bin(args, { cwd: base, timeoutMs: 60_000 });
          if (r.signal) stats.hangs++;
          expect(r.signal, `hung: ${args.join(" ")} ${JSON.stringify(muts)}`).toBeNull();
          if (/internal error/.test(r.stderr)) stats.internal++;
          expect(r.stderr, JSON.stringify(muts)).not.toMatch(/internal error|\n\s+at \S+ \(|^\s+at /m);
          expect([0, 1], `${args[0]} exit ${r.code}: ${r.stderr} ${JSON.stringify(muts)}`).toContain(r.code);
          for (const line of r.stderr.split("\n").filter((l) => /^Error: \S+\.ya?ml\b/.test(l))) {
            if (!WHOLE_FILE.test(line)) expect(line, JSON.stringify(muts)).toMatch(/^Error: \S+\.ya?ml:\d+:\d+: /);
          }
          return r.code!;
        };
        const valid = check(["validate", d]) === 0;
        // Where apply may write: the stack's provisioning root, and its state file with the files beside it.
        let mayWrite = (_p: string): boolean => false;
        if (valid) {
          const stack = loadStack(d);
          const root = relative(d, stack.provisioningRoot);
          const state = relative(d, stack.state.path);
          mayWrite = (p) => p.startsWith(`${root}/`) || p.startsWith(state);
          stats.valid++;
          if (check(["apply", d, "--auto-approve"]) === 0) stats.applied++;
        } else stats.invalid++;
        // Nothing outside the root changed: the stack's own files, its siblings and the canary.
        const after = tree(d);
        const changed = Object.keys({ ...before, ...after }).filter((p) => !mayWrite(p) && before[p] !== after[p]);
        const outsideAfter = Object.keys(tree(base)).filter((p) => !p.startsWith(`case-${stats.cases}/`)).length;
        if (changed.length || outsideAfter !== outsideBefore || readFileSync(canary, "utf8") !== "untouched\n") stats.outside++;
        expect(changed, JSON.stringify(muts)).toEqual([]);
        expect(outsideAfter).toBe(outsideBefore);
        rmSync(d, { recursive: true, force: true });
      }),
      { seed: SEED, numRuns: LONG ? 400 : 25, endOnFailure: true },
    );
    figure(`fuzz: ${stats.cases} mutated stacks (${stats.valid} valid, ${stats.applied} applied, ${stats.invalid} refused); ${stats.hangs} hangs, ${stats.internal} internal errors, ${stats.outside} writes outside the root`);
  }, 1_800_000);
});
