/**
 * The refresh of a large fleet, as the built binary runs it: above a thousand recorded files a worker
 * thread takes the file stats and walks the root while the plan is built. It must find exactly what
 * the main thread would: `drift` (which reads everything itself) is the reference.
 */
import { appendFileSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateLabFleet } from "../../bench/generate.js";
import { cleanup, REPO, runBin, tempStack } from "../helpers/stack.js";
import type * as Prefetch from "../../src/providers/stat-prefetch.js";
import type * as Digest from "../../src/providers/stat-digest.js";

const SYSTEMS = 400; // about 1,100 resources and 1,500 files: above the prefetch's threshold
let dir: string;
let lab: string;
const root = (rel: string) => join(dir, ".bootplan/root", rel);

beforeAll(() => {
  lab = tempStack();
  dir = mkdtempSync(join(tmpdir(), "bootplan-prefetch-"));
  generateLabFleet(dir, SYSTEMS, { labDir: lab });
  const r = runBin(["apply", dir, "--auto-approve", "--no-color"]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  cleanup(dir);
  cleanup(lab);
});

describe("refresh of a large fleet (stat prefetch)", () => {
  it("the worker's digests and leftovers are the ones the main thread takes", async () => {
    // The built modules: the worker runs only from compiled code (as the binary does).
    const { StatPrefetch, prefetchedStatDigest } = (await import(join(REPO, "dist/providers/stat-prefetch.js"))) as typeof Prefetch;
    const { statDigest } = (await import(join(REPO, "dist/providers/stat-digest.js"))) as typeof Digest;
    const r = join(dir, ".bootplan/root");
    const jobs: [string, string[]][] = [[r, ["http/answers/web01-000000.cfg", "tftp/grub/grub.cfg-01-52-55-00-00-00-01"]], [r, ["http/answers/gone.cfg"]]];
    const keys = [{}, {}]; // what the refresh looks digests up by: the objects standing for the records (filesKey)
    const prefetch = StatPrefetch.start({ jobs, leftovers: { root: r, known: ["http/answers/web01-000000.cfg"] } }, keys);
    const leftovers = await prefetch.leftovers();
    expect(leftovers?.unexpected).toContain("http/answers/web02-000001.cfg");
    expect(leftovers?.unexpected).not.toContain("http/answers/web01-000000.cfg");
    const before = jobs.map(([root, rels]) => statDigest(root, rels));
    // Taken once the worker answered: the refresh sees that snapshot, reading nothing itself.
    const answer = join(r, "http/answers/web01-000000.cfg");
    const text = readFileSync(answer, "utf8");
    appendFileSync(answer, "\n");
    try {
      const seen = await prefetch.using(async () => keys.map((k) => prefetchedStatDigest(k, r)));
      expect(seen).toEqual(before);
      expect(new Set(seen).size).toBe(2);
      expect(statDigest(...jobs[0])).not.toBe(before[0]);
      // Outside the refresh, or under another root, it serves nothing: apply's own stats are always fresh.
      expect(prefetchedStatDigest(keys[0], r)).toBeUndefined();
      expect(await prefetch.using(async () => prefetchedStatDigest(keys[0], `${r}-elsewhere`))).toBeUndefined();
    } finally {
      writeFileSync(answer, text);
    }
  }, 60_000);

  it("plans no change when nothing changed, even after a file is rewritten with its own bytes", () => {
    const same = root("http/answers/web02-000001.cfg");
    writeFileSync(same, readFileSync(same));
    const r = runBin(["plan", dir, "--detailed-exitcode", "--no-color"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No changes.");
  }, 60_000);

  it("finds the same tampered, deleted and unexpected files as drift, and warns of the stranger", () => {
    appendFileSync(root("http/answers/db01-000002.cfg"), "# tampered\n");
    unlinkSync(root("tftp/grub/grub.cfg-01-52-55-00-01-2c-01")); // system 300
    writeFileSync(root("http/answers/stranger.cfg"), "not ours\n");

    const plan = runBin(["plan", dir, "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout) as { changes: { address: string; reason?: string }[]; warnings: string[] };
    const repaired = p.changes.filter((c) => c.reason === "changed outside bootplan").map((c) => c.address).sort();

    const drift = runBin(["drift", dir, "--json"]);
    expect(drift.code, drift.stderr).toBe(2);
    const d = JSON.parse(drift.stdout) as { drifted: { address: string }[] };
    expect(repaired).toEqual(["system.db01-000002", "system.web01-000300"]);
    expect(repaired).toEqual(d.drifted.map((r) => r.address).sort());
    expect(p.warnings.join("\n")).toContain("(http/answers/stranger.cfg)");
  }, 60_000);
});
