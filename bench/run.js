// npm run bench: times bootplan on generated fleets (1,000 and 10,000 systems by default) as a user runs it.
// Usage: node bench/run.js [N ...]   Each step is a real `bootplan` process; wall time and peak RSS are reported.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateStack } from "./generate.js";
import { listTree } from "./tree.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin/bootplan.js");
const sizes = process.argv.slice(2).map(Number).filter(Boolean);

function run(args, expectCodes = [0]) {
  const rssFile = join(tmpdir(), `bootplan-bench-rss-${process.pid}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", join(repo, "bench/rss-preload.cjs"), bin, ...args], {
    env: { ...process.env, BOOTPLAN_BENCH_RSS_FILE: rssFile }, encoding: "utf8", maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!expectCodes.includes(r.status)) throw new Error(`bootplan ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const rss = Number(readFileSync(rssFile, "utf8"));
  rmSync(rssFile, { force: true });
  return { ms, rss, stdout: r.stdout };
}

const fmt = (r) => `${(r.ms / 1000).toFixed(2).padStart(6)} s  ${(r.rss / 2 ** 20).toFixed(0).padStart(5)} MiB`;

function bench(n) {
  const dir = mkdtempSync(join(tmpdir(), `bootplan-bench-${n}-`));
  try {
    const oneFile = generateStack(dir, n, { labDir: join(repo, "stacks/lab") });
    const rows = [];
    const floor = run(["validate", dir]);
    rows.push(["parse + validate only (the floor)", floor]);
    rows.push(["cold plan, empty state", run(["plan", dir, "--no-color"])]);
    const apply = run(["apply", dir, "--auto-approve", "--no-color"]);
    rows.push(["first apply", apply]);
    const noop = run(["plan", dir, "--detailed-exitcode"]);
    if (!noop.stdout.includes("No changes.")) throw new Error("no-op plan found changes");
    rows.push(["no-op plan after apply", noop]);

    const before = listTree(join(dir, ".bootplan/root"));
    const text = readFileSync(oneFile, "utf8");
    writeFileSync(oneFile, text.replace("    profile: base-0\n", "    profile: base-0\n    kernelArgs: [quiet]\n"));
    const plan1 = run(["plan", dir, "--detailed-exitcode"], [2]);
    const apply1 = run(["apply", dir, "--auto-approve"]);
    const after = listTree(join(dir, ".bootplan/root"));
    const touched = [...after].filter(([p, m]) => before.get(p) !== m).map(([p]) => p);
    rows.push(["one-system change: plan", plan1], ["one-system change: apply", apply1]);
    rows.push(["one-system change: plan + apply", { ms: plan1.ms + apply1.ms, rss: Math.max(plan1.rss, apply1.rss) }]);

    console.log(`\n${n} systems (${Object.keys(JSON.parse(readFileSync(join(dir, ".bootplan/state.json"), "utf8")).resources).length} resources)`);
    for (const [name, r] of rows) console.log(`  ${name.padEnd(36)} ${fmt(r)}`);
    console.log(`  no-op plan / floor                    ${(noop.ms / floor.ms).toFixed(2)}x`);
    console.log(`  files rewritten by the one-system change: ${touched.length} (${touched.join(", ")})`);
    void statSync;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const n of sizes.length ? sizes : [1000, 10000]) bench(n);
