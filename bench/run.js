// npm run bench: times bootplan on generated fleets as a user runs it, one real `bootplan` process per
// step, reporting wall time, CPU time and peak RSS, each against its target where the project has one.
//
//   node bench/run.js [N ...]               the project's bench fleet at each N (default 1000 10000), then
//                                           the lab fleet at the largest N, the compatibility, CM and enc figures
//   node bench/run.js --scenarios lab,cm 10000   only some of them (bench, lab, compat, cm)
//   node bench/run.js --lab 100000 [--backend file|postgres|both]
//                                           only the lab fleet at that size, on the file and/or PostgreSQL backend
//
// Two fleets: the bench fleet (20 profiles, no packages lists or CM bindings) and the lab fleet, cloned
// from stacks/lab's own systems so it uses every feature the lab does (packages with requirement lists, an
// external list, Puppet and Ansible bindings). The machine may be shared: figures are the fastest of a
// few runs where a step is cheap enough to repeat, and CPU time (user+sys) is printed beside wall time.
//   node bench/run.js --scenarios executors 1000   first apply and a one-system change in-process and
//                                           through Pulumi's dynamic-provider host, side by side
//   node bench/run.js --scenarios drift 10000   drift, plan with and without refresh, ten tampered files,
//                                           the size of the first plan's Markdown
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateLabFleet, generateStack } from "./generate.js";
import { postgresUnavailable, startPostgres } from "./postgres.js";
import { listTree } from "./tree.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
const bin = join(repo, "bin/bootplan.js");
const labDir = join(repo, "stacks/lab");

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv.splice(i, 2)[1];
};
const labOnly = flag("--lab");
/** Which scenarios run at the default sizes (all by default): bench, lab, executors, compat, cm, drift. */
const scenarios = new Set((flag("--scenarios") ?? "bench,lab,executors,compat,cm,drift").split(","));
const backends = (flag("--backend") ?? (labOnly ? "both" : "file")).replace("both", "file,postgres").split(",");
const sizes = argv.map(Number).filter(Boolean);
let pgEnv = {};

function run(args, expectCodes = [0], env = {}) {
  const rssFile = join(tmpdir(), `bootplan-bench-rss-${process.pid}`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", join(repo, "bench/rss-preload.cjs"), ...args], {
    env: { ...process.env, ...pgEnv, ...env, BOOTPLAN_BENCH_RSS_FILE: rssFile }, encoding: "utf8", maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!expectCodes.includes(r.status)) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const [rss, cpu] = readFileSync(rssFile, "utf8").split(" ").map(Number);
  rmSync(rssFile, { force: true });
  return { ms, rss, cpu, stdout: r.stdout };
}
const bp = (args, codes, env) => run([bin, ...args], codes, env);
/** Runs a plan in full: the plan memo neither read nor written. */
const NO_MEMO = { BOOTPLAN_PLAN_MEMO: "0" };

/** The fastest of `n` runs: the machine is shared, and the minimum is the least disturbed figure. */
function best(fn, n = 3) {
  let b;
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (!b || r.ms < b.ms) b = r;
  }
  return b;
}

const GiB = 2 ** 30;
const fmt = (r) => `${(r.ms / 1000).toFixed(2).padStart(7)} s  (cpu ${(r.cpu / 1000).toFixed(2).padStart(6)} s)  ${(r.rss / 2 ** 20).toFixed(0).padStart(5)} MiB`;
/** "met" or "MISSED" against a target. */
const verdict = (ok, target) => `${ok ? "met" : "MISSED"} (target ${target})`;
const print = (title, rows) => {
  console.log(`\n${title}`);
  for (const [name, r, target] of rows) console.log(`  ${name.padEnd(44)} ${typeof r === "string" ? r : fmt(r)}${target ? `   ${target}` : ""}`);
};

/** A fresh node that reads and parses every YAML file of the stack with js-yaml: the floor a plan cannot beat. */
function parseFloor(dir) {
  const script = `const y = require(${JSON.stringify(join(repo, "node_modules/js-yaml"))}); const fs = require("fs"), p = require("path");
    const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const f = p.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== ".bootplan") walk(f); } else if (f.endsWith(".yaml")) y.loadAll(fs.readFileSync(f, "utf8")); } };
    walk(${JSON.stringify(dir)});`;
  return best(() => run(["-e", script]));
}

function inTemp(prefix, fn) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keeps the stack's state in `schema` of the bench's PostgreSQL (the file path stays, for state migrate --to file). */
function usePostgres(dir, schema) {
  const f = join(dir, "stack.yaml");
  writeFileSync(f, readFileSync(f, "utf8").replace(/^state: .*$/m, `state: {backend: postgres, url: {env: BOOTPLAN_PG_URL}, schema: ${schema}, path: .bootplan/state.json}`));
}

/** Two steps run one after the other, as one: their times added, the larger peak. */
const inTurn = (a, b) => ({ ms: a.ms + b.ms, cpu: a.cpu + b.cpu, rss: Math.max(a.rss, b.rss) });

/** Plan, apply, no-op plan and one-system changes on a fleet; `targets` (by size) are printed beside. */
function baseline(n, kind, backend, targets = {}) {
  return inTemp(`bootplan-bench-${kind}-${n}-`, (dir) => {
    const oneFile = kind === "lab" ? generateLabFleet(dir, n, { labDir }) : generateStack(dir, n, { labDir });
    const big = n >= 50_000;
    const schema = `bench_${kind}_${n}_${process.pid}`;
    if (backend === "postgres") usePostgres(dir, schema);
    const rows = [];
    const floor = parseFloor(dir);
    rows.push(["parse the YAML with js-yaml (the floor)", floor]);
    rows.push(["parse + validate (bootplan validate)", big ? bp(["validate", dir]) : best(() => bp(["validate", dir]))]);
    if (!big) rows.push(["cold plan, empty state", bp(["plan", dir, "--no-color"])]);
    const apply = bp(["apply", dir, "--auto-approve", "--no-color"]);
    rows.push(["first apply", apply, targets.apply && verdict(apply.ms <= targets.apply, `≤ ${targets.apply / 1000} s`)]);
    // The same state copied out to a file (and its size), as a team moving off the database would.
    if (backend === "postgres") rows.push(["state migrate --to file", bp(["state", "migrate", dir, "--to", "file"])]);
    // A no-op plan builds and diffs the whole fleet once; it keeps a memo that answers the next one as
    // long as the stack, code, secrets and state are unchanged (cli/plan-memo.ts). Both are reported.
    const inFull = () => bp(["plan", dir, "--detailed-exitcode"], [0], NO_MEMO);
    const full = big ? inFull() : best(inFull);
    const keeps = bp(["plan", dir, "--detailed-exitcode"]);
    const again = () => bp(["plan", dir, "--detailed-exitcode"]);
    const noop = big ? again() : best(again);
    if (![full, keeps, noop].every((r) => r.stdout.includes("No changes."))) throw new Error("no-op plan found changes");
    const noopTarget = (r) => targets.noop && verdict(r.ms <= targets.noop, `≤ ${targets.noop / 1000} s`);
    rows.push(["no-op plan after apply, in full", full, noopTarget(full)]);
    rows.push(["  the same, keeping the plan memo", keeps]);
    rows.push(["no-op plan again, from the plan memo", noop, noopTarget(noop)]);

    const before = listTree(join(dir, ".bootplan/root"));
    writeFileSync(oneFile, readFileSync(oneFile, "utf8").replace(/^    profile: \S+\n/m, (m) => `${m}    kernelArgs: [quiet]\n`));
    // The reviewed flow: plan --out, then apply exactly that plan. With the no-op plan's memo in place
    // the change is a delta plan (cli/plan-delta.ts); planned in full first, for comparison.
    const planFile = join(dir, "change.plan");
    const whole = bp(["plan", dir, "--detailed-exitcode", "--out", planFile], [2], NO_MEMO);
    const plan1 = bp(["plan", dir, "--detailed-exitcode", "--out", planFile], [2]);
    if (plan1.stdout !== whole.stdout) throw new Error("the delta plan differs from the full plan");
    const apply1 = bp(["apply", planFile]);
    const touched = [...listTree(join(dir, ".bootplan/root"))].filter(([p, m]) => before.get(p) !== m).map(([p]) => p);
    const change = inTurn(plan1, apply1);
    const changeTarget = (r) => targets.change && verdict(r.ms <= targets.change, `≤ ${targets.change / 1000} s`);
    rows.push(["one-system change: plan --out, in full", whole], ["  plan + apply, in full", inTurn(whole, apply1), changeTarget(inTurn(whole, apply1))]);
    rows.push(["one-system change: plan --out (delta plan)", plan1], ["one-system change: apply PLANFILE", apply1]);
    rows.push(["one-system change: plan + apply", change, changeTarget(change)]);
    // The same change to the file's second system, planned as a reviewer who knows what changed would:
    // --target builds that system alone, and on PostgreSQL reads its rows alone (graph/scope.ts).
    const second = [...readFileSync(oneFile, "utf8").matchAll(/^  (\S+):$/gm)][1][1];
    let seen = 0;
    writeFileSync(oneFile, readFileSync(oneFile, "utf8").replace(/^    profile: \S+\n/gm, (m) => (++seen === 2 ? `${m}    kernelArgs: [quiet]\n` : m)));
    const plan2 = bp(["plan", dir, "--target", `system.${second}`, "--detailed-exitcode", "--out", planFile], [2]);
    const apply2 = bp(["apply", planFile]);
    const targeted = inTurn(plan2, apply2);
    rows.push(["targeted change: plan --target --out", plan2], ["targeted change: apply PLANFILE", apply2]);
    rows.push(["targeted change: plan + apply", targeted, changeTarget(targeted)]);
    if (!big) {
      // The one-step flow re-plans inside apply.
      writeFileSync(oneFile, readFileSync(oneFile, "utf8").replace("kernelArgs: [quiet]", "kernelArgs: [quiet, noapic]"));
      rows.push(["another one-system change: apply DIR", bp(["apply", dir, "--auto-approve"])]);
    }
    if (kind === "lab") {
      // Puppet runs enc on every agent run: it must stay fast however big the state grows.
      const enc = best(() => bp(["enc", "web01-000000.lab.example", dir]), 5);
      const bare = best(() => run(["-e", "0"]), 5);
      rows.push(["bootplan enc (one node)", enc, verdict(enc.ms <= 150, "≤ 150 ms")]);
      rows.push(["  enc minus node -e 0", `${(enc.ms - bare.ms).toFixed(0).padStart(7)} ms`, verdict(enc.ms - bare.ms <= 40, "≤ 40 ms")]);
    }
    for (const [name, r] of [["no-op plan in full / floor", full], ["no-op plan from the memo / floor", noop]]) {
      const ratio = r.ms / floor.ms;
      rows.push([name, `${ratio.toFixed(2)}x`, targets.ratio && verdict(ratio <= targets.ratio, `≤ ${targets.ratio}x`)]);
    }
    const peak = Math.max(...rows.filter((r) => typeof r[1] === "object").map((r) => r[1].rss));
    rows.push(["peak RSS of any step", `${(peak / 2 ** 20).toFixed(0)} MiB`, targets.rss && verdict(peak <= targets.rss, `≤ ${targets.rss / GiB} GiB`)]);
    rows.push(["files the one-system change rewrote", `${touched.length}: ${touched.join(", ")}`]);
    rows.push(["state file size", `${(readFileSync(join(dir, ".bootplan/state.json")).length / 2 ** 20).toFixed(1)} MiB`]);
    print(`${n} systems, ${kind === "lab" ? "lab fleet (packages, external list, Puppet + Ansible)" : "bench fleet"}, ${backend} state`, rows);
  });
}

/** No-op plans of two stacks measured in turns (the machine is shared), fastest of `n` each; `env` NO_MEMO plans in full. */
function noopInTurns(a, b, n = 5, env = {}) {
  let ra, rb;
  for (let i = 0; i < n; i++) {
    const x = bp(["plan", a, "--detailed-exitcode"], [0], env);
    const y = bp(["plan", b, "--detailed-exitcode"], [0], env);
    if (!ra || x.ms < ra.ms) ra = x;
    if (!rb || y.ms < rb.ms) rb = y;
  }
  return [ra, rb];
}

/** Two generated stacks, applied, then `fn(dirA, dirB)`. */
function withTwoStacks(n, genA, genB, fn) {
  inTemp(`bootplan-bench-${n}-a-`, (a) => inTemp(`bootplan-bench-${n}-b-`, (b) => {
    genA(a);
    genB(b);
    bp(["apply", a, "--auto-approve"]);
    bp(["apply", b, "--auto-approve"]);
    fn(a, b);
  }));
}

const added = (base, more) => (more.ms - base.ms) / base.ms;
const pct = (x) => `${(x * 100).toFixed(0)}%`;

function compatScenario(n) {
  // The same fleet and packages, once listed by name only and once declared with requirements and
  // external lists: the difference is what the decisions cost.
  withTwoStacks(n, (d) => generateStack(d, n, { labDir, compat: "plain" }), (d) => generateStack(d, n, { labDir, compat: "declared" }), (plain, declared) => {
    const [p, d] = noopInTurns(plain, declared, 5, NO_MEMO);
    print(`${n} systems x 20 packages each, 200 external lists`, [
      ["no-op plan, packages listed by name only", p],
      ["no-op plan, packages declared + decided", d],
      ["added by the decisions", pct(added(p, d))],
    ]);
  });
}

function cmScenario(n) {
  // The lab fleet with and without its CM bindings: the difference is what the handoff costs.
  withTwoStacks(n, (d) => generateLabFleet(d, n, { labDir, cm: false }), (d) => generateLabFleet(d, n, { labDir }), (base, cm) => {
    const [b, c] = noopInTurns(base, cm, 5, NO_MEMO);
    // The first of these keeps each stack's plan memo; the rest are answered from it.
    const [bm, cmm] = noopInTurns(base, cm);
    const node = () => run(["-e", "0"]);
    const enc = best(() => bp(["enc", "web01-000000.lab.example", cm]), 7);
    const bare = best(node, 7);
    print(`${n} lab systems with and without their CM bindings (Puppet + Ansible)`, [
      ["no-op plan in full without CM bindings", b],
      ["no-op plan in full with them", c],
      ["added by the handoff resources", pct(added(b, c)), verdict(added(b, c) <= 0.5, "≤ 50%")],
      ["no-op plan from the memo without CM bindings", bm],
      ["no-op plan from the memo with them", cmm],
      ["added by the handoff resources", pct(added(bm, cmm)), verdict(added(bm, cmm) <= 0.5, "≤ 50%")],
      ["bootplan enc (one node)", enc, verdict(enc.ms <= 150, "≤ 150 ms")],
      ["  for scale: node -e 0", bare],
      ["  enc minus node -e 0", `${(enc.ms - bare.ms).toFixed(0).padStart(7)} ms`, verdict(enc.ms - bare.ms <= 40, "≤ 40 ms")],
      [`bootplan inventory --list (${n} hosts)`, best(() => bp(["inventory", cm, "--list"]))],
    ]);
  });
}

/** First apply and a one-system change of the same fleet through each executor, in turns. */
function executorScenario(n) {
  const executors = ["in-process", "pulumi-host"];
  const dirs = executors.map((e) => mkdtempSync(join(tmpdir(), `bootplan-bench-${n}-${e}-`)));
  try {
    const files = dirs.map((d) => generateStack(d, n, { labDir }));
    const first = dirs.map((d, i) => bp(["apply", d, "--auto-approve", "--no-color", "--executor", executors[i]]));
    const change = dirs.map((d, i) => {
      writeFileSync(files[i], readFileSync(files[i], "utf8").replace("    profile: base-0\n", "    profile: base-0\n    kernelArgs: [quiet]\n"));
      return bp(["apply", d, "--auto-approve", "--no-color", "--executor", executors[i]]);
    });
    const ratio = (a, b) => `${(b.ms / a.ms).toFixed(2)}x (target <= 2x; <= 1.2x makes it the default)`;
    print(`${n} systems: in-process vs pulumi-host executor`, [
      ["first apply, in-process", first[0]],
      ["first apply, pulumi-host", first[1]],
      ["  pulumi-host / in-process", ratio(first[0], first[1])],
      ["one-system change (apply DIR), in-process", change[0]],
      ["one-system change (apply DIR), pulumi-host", change[1]],
      ["  pulumi-host / in-process", ratio(change[0], change[1])],
    ]);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Drift and refresh at fleet size: each figure against the no-op plan without refresh. */
function driftScenario(n) {
  inTemp(`bootplan-bench-drift-${n}-`, (dir) => {
    generateStack(dir, n, { labDir });
    const md = bp(["plan", dir, "--markdown"]);
    bp(["apply", dir, "--auto-approve"]);
    const root = join(dir, ".bootplan/root");
    // Measured in turns (the machine is shared), fastest of three each.
    let off, on, drift;
    for (let i = 0; i < 3; i++) {
      // In full: the plan memo would stand in for the build both figures measure.
      const a = bp(["plan", dir, "--refresh=false", "--detailed-exitcode"], [0], NO_MEMO);
      const b = bp(["plan", dir, "--detailed-exitcode"], [0], NO_MEMO);
      const c = bp(["drift", dir]);
      if (!b.stdout.includes("No changes.") || !c.stdout.includes("No drift")) throw new Error("drift found where there is none");
      if (!off || a.ms < off.ms) off = a;
      if (!on || b.ms < on.ms) on = b;
      if (!drift || c.ms < drift.ms) drift = c;
    }
    const full = bp(["drift", dir, "--refresh=full"]);
    const victims = [...listTree(root).keys()].filter((p) => p.startsWith("http/answers/")).slice(0, 10);
    for (const p of victims) writeFileSync(join(root, p), readFileSync(join(root, p), "utf8") + "# tampered\n");
    const found = bp(["drift", dir, "--json"], [2]);
    const report = JSON.parse(found.stdout);
    if (report.summary.changedFiles !== victims.length) throw new Error(`drift found ${report.summary.changedFiles} of ${victims.length} tampered files`);
    const repair = bp(["plan", dir, "--markdown", "--detailed-exitcode"], [2]);
    const ratio = (a, b) => `${(a.ms / b.ms).toFixed(2)}x`;
    print(`${n} systems: drift and refresh (targets: drift <= 2x, refresh adds <= 50% to the no-op plan without refresh)`, [
      ["no-op plan --refresh=false", off],
      ["no-op plan (refresh, stat first)", on],
      ["  added by the refresh", pct(added(off, on)), verdict(added(off, on) <= 0.5, "≤ 50%")],
      ["drift, no drift", drift],
      ["  drift / no-op plan without refresh", ratio(drift, off), verdict(drift.ms / off.ms <= 2, "≤ 2x")],
      ["drift --refresh=full (every file hashed)", full],
      [`drift, ${victims.length} tampered files found`, found],
      ["first plan --markdown", `${md.stdout.length} characters, ${Buffer.byteLength(md.stdout)} bytes (limit 65536)`],
      [`repair plan --markdown (${victims.length} files)`, `${repair.stdout.length} characters`],
    ]);
  });
}

/** The targets of the issue that set them (#15), by fleet size. */
const TARGETS = {
  10000: { noop: 2500, ratio: 2.5, apply: 20_000 },
  100000: { noop: 20_000, change: 5000, apply: 200_000, rss: 2 * GiB },
};

async function main() {
  let pg;
  if (backends.includes("postgres")) {
    const why = postgresUnavailable();
    if (why) throw new Error(`the postgres backend needs a local PostgreSQL 15: ${why}`);
    pg = await startPostgres({ fsync: true });
    pgEnv = { BOOTPLAN_PG_URL: pg.url };
    for (const sig of ["SIGINT", "SIGTERM"]) process.once(sig, () => void pg.stop().then(() => process.exit(1)));
  }
  try {
    if (labOnly) {
      for (const backend of backends) baseline(Number(labOnly), "lab", backend, TARGETS[Number(labOnly)]);
      return;
    }
    const list = sizes.length ? sizes : [1000, 10000];
    if (scenarios.has("bench")) for (const n of list) baseline(n, "bench", "file");
    const top = Math.max(...list);
    if (scenarios.has("lab")) for (const backend of backends) baseline(top, "lab", backend, TARGETS[top]);
    if (scenarios.has("executors")) for (const n of list) executorScenario(n);
    if (scenarios.has("compat")) compatScenario(top);
    if (scenarios.has("cm")) cmScenario(top);
    if (scenarios.has("drift")) driftScenario(top);
  } finally {
    await pg?.stop();
  }
}

await main();
