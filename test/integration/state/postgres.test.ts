/**
 * The PostgreSQL state backend against a real PostgreSQL 15 (a throwaway cluster on a free loopback
 * port): plan/apply/saved plans as on the file backend, the lock between two processes, a crashed
 * holder, kill -9 during apply, and state migrate there and back.
 */
import { spawn } from "node:child_process";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { postgresUnavailable, startPostgres, type TestPostgres } from "../../helpers/postgres.js";
import { editStackFile, REPO, runBin, tempStacks } from "../../helpers/stack.js";
import { applyTargetedWeb01, changeTwoSystems } from "../../helpers/targeted.js";
import { generateStack } from "../../../bench/generate.js";
import { lookUpEncIndex } from "../../../src/cm/enc-index.js";
import { tmpdir } from "node:os";

let server: TestPostgres | undefined;
let why: string | undefined = postgresUnavailable();
let schemaNo = 0;

beforeAll(async () => {
  if (why) return;
  try {
    server = await startPostgres();
  } catch (err) {
    why = `PostgreSQL could not start: ${(err as Error).message.split("\n")[0]}`;
  }
  if (why && !process.env.CI) console.log(`skipping the PostgreSQL state tests: ${why}`);
});
afterAll(async () => server?.stop());

/** Skips locally (with the reason printed once) when PostgreSQL cannot run here; fails under CI=true. */
function needPostgres(ctx: TestContext): TestPostgres {
  if (!server) {
    if (process.env.CI) throw new Error(`CI must run the PostgreSQL state tests: ${why}`);
    ctx.skip();
  }
  return server!;
}

const lab = tempStacks();

/** A lab copy whose state lives in its own schema of the test database. */
function pgLab(): { dir: string; env: NodeJS.ProcessEnv; schema: string } {
  const schema = `t${process.pid}_${++schemaNo}`;
  const dir = lab();
  editStackFile(dir, "stack.yaml", /^state: .*$/m, `state: {backend: postgres, url: {env: BOOTPLAN_PG_URL}, schema: ${schema}, path: .bootplan/state.json}`);
  return { dir, schema, env: { BOOTPLAN_PG_URL: server!.url, CI: "" } };
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: server!.url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A real process holding the stack's PostgreSQL lock until killed (or for `ms`). */
function holdLock(dir: string, env: NodeJS.ProcessEnv, ms = 60_000): Promise<{ pid: number; done: Promise<void>; kill: (sig: NodeJS.Signals) => void }> {
  const script = `
    const { openStateBackend } = await import(${JSON.stringify(join(REPO, "dist/state/backend.js"))});
    const { loadStack } = await import(${JSON.stringify(join(REPO, "dist/stack/load.js"))});
    const s = loadStack(${JSON.stringify(dir)});
    const b = await openStateBackend(s.state, s.name, process.env);
    const lock = await b.lock("bootplan apply (test holder)", {});
    process.stdout.write("locked\\n");
    const done = async () => { await lock.release(); process.exit(0); };
    process.on("SIGTERM", done);
    setTimeout(done, ${ms});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  const done = new Promise<void>((res) => child.on("exit", () => res()));
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error("lock holder did not start")), 30_000);
    child.stdout.once("data", () => {
      clearTimeout(t);
      res({ pid: child.pid!, done, kill: (sig) => child.kill(sig) });
    });
  });
}

/** The built CLI as a child process, without blocking this one. */
function runBinAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), ...args], { env });
    let stdout = "", stderr = "";
    c.stdout.on("data", (d) => (stdout += d));
    c.stderr.on("data", (d) => (stderr += d));
    c.on("exit", (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

describe("PostgreSQL state backend", { timeout: 300_000 }, () => {
  it("plans and applies the lab, records one row per resource and refuses a stale saved plan", async (ctx) => {
    needPostgres(ctx);
    const { dir, env, schema } = pgLab();
    const planFile = join(dir, "first.plan");
    expect(runBin(["plan", dir, "--out", planFile], { env }).code).toBe(0);
    const a = runBin(["apply", planFile], { env });
    expect(a.stderr).toBe("");
    expect(a.stdout).toMatch(/^Apply complete: 29 added/m);
    expect(existsSync(join(dir, ".bootplan/state.json"))).toBe(false);
    expect(readFileSync(join(dir, ".bootplan/root/http/answers/web01.cfg"), "utf8")).toContain("web01");
    const rows = await query<{ address: string; kind: string }>(`SELECT address, kind FROM ${schema}.resources ORDER BY address`);
    expect(rows.length).toBe(29);
    expect(rows.find((r) => r.address === "system.web01")?.kind).toBe("system");
    const [stack] = await query<{ serial: string }>(`SELECT serial FROM ${schema}.stacks WHERE name = 'lab'`);
    expect(Number(stack.serial)).toBe(29);
    expect((await query(`SELECT 1 FROM ${schema}.operations WHERE outcome = 'done'`)).length).toBe(29);
    // The secret's value is nowhere in the database, only its keyed digest.
    const secret = readFileSync(join(dir, "secrets/demo-root-password.hash"), "utf8").trim();
    const all = await query<{ t: string }>(`SELECT string_agg(outputs || coalesce(file_hashes, ''), '') AS t FROM ${schema}.resources`);
    expect(all[0].t).not.toContain(secret);
    expect(all[0].t).toContain("hmac-sha256:");

    const again = runBin(["apply", planFile], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the state changed since the plan was made \(serial 0, now 29\); run bootplan plan again/);
    expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).stdout).toContain("No changes.");
    expect(runBin(["state", "list", dir], { env }).stdout.split("\n")).toContain("system.web01");
    expect(runBin(["state", "show", dir, "system.web01"], { env }).stdout).toContain('"hostname": "web01.lab.example"');
    // Puppet's and Ansible's lookups answer from the database (there is no state file to read).
    const enc = runBin(["enc", "web01.lab.example", dir], { env });
    expect(enc.stdout).toBe(readFileSync(join(dir, ".bootplan/root/cm/puppet-prod/nodes/web01.lab.example.yaml"), "utf8"));
    expect(runBin(["enc", "nobody.lab.example", dir], { env }).stderr).toMatch(/^Error: nobody\.lab\.example: not a node of any puppet CM system in PostgreSQL /);
    expect(JSON.parse(runBin(["inventory", dir, "--host", "web01.lab.example"], { env }).stdout)).toMatchObject({ nginx_worker_processes: 4 });
    expect(JSON.parse(runBin(["inventory", dir, "--list"], { env }).stdout).web.hosts).toContain("web01.lab.example");

    // A saved change reads only the rows it touches: the updates still find their records, the rest stays.
    editStackFile(dir, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");
    const changeFile = join(dir, "change.plan");
    expect(runBin(["plan", dir, "--out", changeFile], { env }).stdout).toMatch(/Plan: 0 to add, 3 to change, 0 to replace, 0 to destroy/);
    const changed = runBin(["apply", changeFile], { env });
    expect(changed.stderr).toBe("");
    expect(changed.stdout).toMatch(/^Apply complete: 0 added, 3 changed/m);
    expect(readFileSync(join(dir, ".bootplan/root/http/answers/web01.cfg"), "utf8")).toContain("certbot");
    expect((await query(`SELECT 1 FROM ${schema}.resources`)).length).toBe(29);
    const [{ serial: now }] = await query<{ serial: string }>(`SELECT serial FROM ${schema}.stacks`);
    expect(Number(now)).toBeGreaterThan(29);
    expect((await query(`SELECT 1 FROM ${schema}.operations WHERE outcome = 'done'`)).length).toBe(Number(now));
    expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);
  });

  it("refuses a second run naming the holder, waits with --lock-timeout, and forgets a holder killed with -9", async (ctx) => {
    needPostgres(ctx);
    const { dir, env } = pgLab();
    const holder = await holdLock(dir, env);
    const refused = runBin(["apply", dir, "--auto-approve"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^Error: state in PostgreSQL postgres://bootplan@127\\.0\\.0\\.1:\\d+/postgres \\(schema \\w+, stack lab\\) is locked by pid ${holder.pid} on host \\S+ \\(bootplan apply \\(test holder\\)\\) since \\S+; retry with --lock-timeout\\n$`));
    expect(existsSync(join(dir, ".bootplan/root"))).toBe(false);
    const waiting = runBinAsync(["apply", dir, "--auto-approve", "--lock-timeout", "2m"], { ...process.env, ...env });
    await new Promise((r) => setTimeout(r, 1500));
    holder.kill("SIGTERM"); // releases the lock while the second run waits for it
    await holder.done;
    expect((await waiting).stdout).toMatch(/^Apply complete: 29 added/m);

    const crashed = await holdLock(dir, env);
    crashed.kill("SIGKILL");
    await crashed.done;
    // The database ended the killed holder's session and its lock with it: no unlock needed.
    const after = runBin(["plan", dir, "--detailed-exitcode"], { env });
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    const again = await holdLock(dir, env);
    again.kill("SIGKILL");
    await again.done;
    // Its holder row is stale: unlock clears it, naming who held it, without --force.
    const unlock = runBin(["state", "unlock", dir], { env });
    expect(unlock.stdout).toMatch(new RegExp(`^Released the lock held by pid ${again.pid} on `));
  });

  it("state unlock refuses a live holder and --force ends its session", async (ctx) => {
    needPostgres(ctx);
    const { dir, env } = pgLab();
    const holder = await holdLock(dir, env);
    const refused = runBin(["state", "unlock", dir], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/whose database session is still open; stop it, or run: bootplan state unlock --force/);
    const forced = runBin(["state", "unlock", dir, "--force"], { env });
    expect(forced.stdout).toMatch(new RegExp(`^Released the lock held by pid ${holder.pid} `));
    expect(runBin(["apply", dir, "--auto-approve"], { env }).stdout).toMatch(/^Apply complete/m);
    holder.kill("SIGKILL");
    await holder.done;
  });

  it("two applies from two processes: while one applies, the other is refused naming it; with --lock-timeout it waits", { timeout: 300_000 }, async (ctx) => {
    needPostgres(ctx);
    const { dir, env: pgEnv } = pgLab();
    // The lab's notify plugin posts to this webhook after each system; it holds the posts until released,
    // so the first apply is surely mid-way (holding the lock) while the second one tries.
    const held: ServerResponse[] = [];
    let holding = true;
    const hook = createServer((req, res) => {
      req.resume();
      if (holding) held.push(res);
      else res.end("ok");
    });
    await new Promise<void>((res) => hook.listen(0, "127.0.0.1", res));
    const release = (): void => {
      holding = false;
      for (const res of held.splice(0)) res.end("ok");
    };
    try {
      const env = { ...process.env, ...pgEnv, BOOTPLAN_NOTIFY_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` };
      const first = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), "apply", dir, "--auto-approve", "--parallelism", "1"], { env, stdio: "ignore" });
      const finished = new Promise<number>((res) => first.on("exit", (code) => res(code ?? -1)));
      const deadline = Date.now() + 60_000;
      while (!held.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(held.length).toBe(1);
      const second = runBin(["apply", dir, "--auto-approve"], { env });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`is locked by pid ${first.pid} on host \\S+ \\(bootplan apply\\) since \\S+; retry with --lock-timeout\\n$`));
      const waiting = runBinAsync(["apply", dir, "--auto-approve", "--lock-timeout", "2m"], env);
      release();
      expect(await finished).toBe(0);
      const third = await waiting;
      expect(third.stdout).toContain("No changes.");
    } finally {
      release();
      hook.close();
    }
  });

  it("kill -9 during apply: the state stays readable with every completed operation, and the next apply finishes", { timeout: 300_000 }, async (ctx) => {
    needPostgres(ctx);
    const schema = `t${process.pid}_${++schemaNo}`;
    const dir = mkdtempSync(join(tmpdir(), "bootplan-pg-kill-"));
    try {
      generateStack(dir, 150, { labDir: join(REPO, "stacks/lab"), cm: true });
      editStackFile(dir, "stack.yaml", /^state: .*$/m, `state: {backend: postgres, url: {env: BOOTPLAN_PG_URL}, schema: ${schema}}`);
      const env = { ...process.env, BOOTPLAN_PG_URL: server!.url };
      const child = spawn(process.execPath, [join(REPO, "bin/bootplan.js"), "apply", dir, "--auto-approve", "--parallelism", "2", "--progress", "json"], { env });
      let out = "";
      const killed = new Promise<void>((res) => {
        child.stdout.on("data", (d) => {
          out += d;
          if ((out.match(/"type":"done","address":"[^"]+","action":"create"/g) ?? []).length >= 30 && !child.killed) child.kill("SIGKILL");
        });
        child.on("exit", () => res());
      });
      await killed;
      expect(child.signalCode).toBe("SIGKILL");
      const reported = [...out.matchAll(/"type":"done","address":"([^"]+)","action":"create"/g)].map((m) => m[1]);
      expect(reported.length).toBeGreaterThanOrEqual(30);
      const list = runBin(["state", "list", dir], { env });
      expect(list.code).toBe(0);
      const recorded = new Set(list.stdout.trim().split("\n"));
      for (const a of reported) expect(recorded.has(a), `${a} was reported created but is not recorded`).toBe(true);
      const [stack] = await query<{ serial: string }>(`SELECT serial FROM ${schema}.stacks`);
      expect(Number(stack.serial)).toBe(recorded.size);
      const plan = runBin(["plan", dir], { env });
      expect(plan.stdout).toMatch(/a previous apply did not complete its create|Plan: \d+ to add/);
      const rest = runBin(["apply", dir, "--auto-approve"], { env });
      expect(rest.code).toBe(0);
      expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);
      expect((await query(`SELECT 1 FROM ${schema}.operations WHERE outcome IS NULL`)).length).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("operations that complete together commit together, each with its own serial, through apply and destroy", { timeout: 300_000 }, async (ctx) => {
    needPostgres(ctx);
    const schema = `t${process.pid}_${++schemaNo}`;
    const dir = mkdtempSync(join(tmpdir(), "bootplan-pg-batch-"));
    try {
      generateStack(dir, 150, { labDir: join(REPO, "stacks/lab"), cm: true });
      editStackFile(dir, "stack.yaml", /^state: .*$/m, `state: {backend: postgres, url: {env: BOOTPLAN_PG_URL}, schema: ${schema}}`);
      const env = { BOOTPLAN_PG_URL: server!.url };
      expect(runBin(["apply", dir, "--auto-approve", "--parallelism", "16"], { env }).code).toBe(0);
      const [{ n }] = await query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.resources`);
      const created = Number(n);
      expect(created).toBeGreaterThan(150);
      const journal = async () => query<{ serial: string; xid: string; outcome: string }>(`SELECT serial, xmin::text AS xid, outcome FROM ${schema}.operations ORDER BY serial`);
      const ops = await journal();
      // One closed journal row per operation, serials 1..N with no gap: the state's serial counts them.
      expect(ops.map((o) => [Number(o.serial), o.outcome])).toEqual(ops.map((_, i) => [i + 1, "done"]));
      expect(ops.length).toBe(created);
      // xmin names the transaction that last wrote a row: closed rows sharing it were committed together.
      const commits = new Set(ops.map((o) => o.xid)).size;
      expect(commits).toBeLessThan(ops.length);
      expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);

      // An upgrade that changes the renderer makes every render key stale: the plan shows no change,
      // and the apply records the new keys (bookkeeping) in shared commits, not one commit each.
      await query(`UPDATE ${schema}.resources SET outputs = replace(outputs, '"renderKey":"', '"renderKey":"stale-') WHERE outputs LIKE '%"renderKey":"%'`);
      const stale = (await query(`SELECT 1 FROM ${schema}.resources WHERE outputs LIKE '%"renderKey":"stale-%'`)).length;
      expect(stale).toBeGreaterThan(150);
      expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);
      const settled = runBin(["apply", dir, "--auto-approve"], { env });
      expect(settled.stdout).toBe("No changes.\n");
      expect(await query(`SELECT 1 FROM ${schema}.resources WHERE outputs LIKE '%"renderKey":"stale-%'`)).toEqual([]);
      const bookkeeping = (await journal()).slice(created);
      expect(bookkeeping.length).toBe(stale);
      expect(new Set(bookkeeping.map((o) => o.xid)).size).toBeLessThan(bookkeeping.length / 10);
      expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);

      expect(runBin(["destroy", dir, "--auto-approve", "--parallelism", "16"], { env }).code).toBe(0);
      expect(await query(`SELECT 1 FROM ${schema}.resources`)).toEqual([]);
      const all = await journal();
      expect(all.map((o) => Number(o.serial))).toEqual(all.map((_, i) => i + 1));
      const [stack] = await query<{ serial: string }>(`SELECT serial FROM ${schema}.stacks`);
      expect(Number(stack.serial)).toBe(2 * created + stale);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("state migrate moves the lab's state to PostgreSQL and back with identical digests, and plans stay empty", async (ctx) => {
    needPostgres(ctx);
    const schema = `t${process.pid}_${++schemaNo}`;
    const dir = lab();
    editStackFile(dir, "stack.yaml", /^state: .*$/m, `state: {backend: file, path: .bootplan/state.json, url: {env: BOOTPLAN_PG_URL}, schema: ${schema}}`);
    const env = { BOOTPLAN_PG_URL: server!.url };
    expect(runBin(["apply", dir, "--auto-approve"], { env }).code).toBe(0);
    const before = readFileSync(join(dir, ".bootplan/state.json"), "utf8");

    const to = runBin(["state", "migrate", dir, "--to", "postgres"], { env });
    expect(to.stderr).toBe("");
    const digest = /Digest (sha256:[0-9a-f]{64}) matches on both sides/.exec(to.stdout)?.[1];
    expect(digest).toBeDefined();
    expect(to.stdout).toMatch(/^Copied 29 resources \(lineage \S+, serial 29\)/);
    editStackFile(dir, "stack.yaml", "backend: file", "backend: postgres");
    expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);
    // A change applied on PostgreSQL, then the state moved back to the file.
    editStackFile(dir, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");
    expect(runBin(["apply", dir, "--auto-approve"], { env }).code).toBe(0);
    const refused = runBin(["state", "migrate", dir, "--to", "file"], { env });
    expect(refused.stderr).toMatch(/state file .*state\.json already holds a state for stack lab; pass --force to replace it/);
    const back = runBin(["state", "migrate", dir, "--to", "file", "--force"], { env });
    expect(back.code).toBe(0);
    const backDigest = /Digest (sha256:[0-9a-f]{64})/.exec(back.stdout)![1];
    expect(backDigest).not.toBe(digest); // the state moved on
    // The file written by the migration has its ENC index: the one the first apply wrote named an older file.
    expect(lookUpEncIndex(join(dir, ".bootplan/state.json"), "web01.lab.example")?.[0].enc).toMatch(/port: 9090/);
    editStackFile(dir, "stack.yaml", "backend: postgres", "backend: file");
    expect(runBin(["plan", dir, "--detailed-exitcode"], { env }).code).toBe(0);
    expect(readFileSync(join(dir, ".bootplan/state.json"), "utf8")).not.toBe(before);
    // And there again: the same digest both ways.
    const again = runBin(["state", "migrate", dir, "--to", "postgres", "--force"], { env });
    expect(/Digest (sha256:[0-9a-f]{64})/.exec(again.stdout)![1]).toBe(backDigest);
  });

  it("a targeted plan reads only its rows: it plans one system as the whole plan does while another row is damaged", async (ctx) => {
    needPostgres(ctx);
    const { dir, env, schema } = pgLab();
    const run = (args: string[]) => runBin(args, { env });
    expect(run(["apply", dir, "--auto-approve"]).code).toBe(0);
    const whole = await changeTwoSystems(dir, run);
    // A row no targeted read of web01 touches, made unreadable: only a plan that reads it can fail.
    await query(`UPDATE ${schema}.resources SET outputs = '{' WHERE address = 'system.ci01'`);
    expect(run(["plan", dir]).code).toBe(1);
    await applyTargetedWeb01(dir, run, whole);
    const rows = await query<{ outputs: string }>(`SELECT outputs FROM ${schema}.resources WHERE address = 'system.web01'`);
    expect(JSON.parse(rows[0].outputs).kernelArgs).toEqual(["quiet"]);
  });

  it("the plan memo answers a repeated plan only while the database holds the state planned: another runner's apply plans in full", async (ctx) => {
    needPostgres(ctx);
    const { dir, env } = pgLab();
    const run = (args: string[]) => runBin(args, { env });
    expect(run(["apply", dir, "--auto-approve"]).code).toBe(0);
    expect(run(["plan", dir]).stdout).toBe("No changes.\n");
    const memoFile = join(dir, ".bootplan/state.json.plan-memo");
    const memo = JSON.parse(readFileSync(memoFile, "utf8"));
    memo.plan.warnings.push("(from the memo)");
    writeFileSync(memoFile, JSON.stringify(memo));
    expect(run(["plan", dir]).stdout).toContain("(from the memo)");
    // A second checkout (another CI runner) applies a change to the same database.
    const other = mkdtempSync(join(tmpdir(), "bootplan-pg-runner-"));
    try {
      cpSync(dir, other, { recursive: true, filter: (src) => !src.split("/").includes(".bootplan") });
      editStackFile(other, "systems.yaml", /^(\s+)profile: web$/m, "$1profile: web\n$1kernelArgs: [quiet]");
      expect(run(["apply", other, "--auto-approve"]).code).toBe(0);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const plan = run(["plan", dir]).stdout;
    expect(plan).not.toContain("(from the memo)");
    // This checkout's stack does not have the change: its plan takes it back.
    expect(plan).toMatch(/~ system\.web01/);
  });

  it("a delta plan reads only the changed file's rows: with the server's row damaged it plans web01's change as the full plan did", async (ctx) => {
    needPostgres(ctx);
    const { dir, env, schema } = pgLab();
    const run = (args: string[], more: NodeJS.ProcessEnv = {}) => runBin(args, { env: { ...env, ...more } });
    expect(run(["apply", dir, "--auto-approve"]).code).toBe(0);
    expect(run(["plan", dir]).stdout).toBe("No changes.\n");
    editStackFile(dir, "systems.yaml", /^(\s+)profile: web$/m, "$1profile: web\n$1kernelArgs: [quiet]");
    const full = run(["plan", dir, "--json"], { BOOTPLAN_PLAN_MEMO: "0" });
    expect(full.code).toBe(0);
    // A row the delta plan of systems.yaml does not read, made unreadable: only a plan that reads it can fail.
    await query(`UPDATE ${schema}.resources SET outputs = '{' WHERE address = 'server.lab'`);
    expect(run(["plan", dir], { BOOTPLAN_PLAN_MEMO: "0" }).code).toBe(1);
    const planFile = join(dir, "delta.plan");
    const delta = run(["plan", dir, "--json", "--out", planFile]);
    expect(delta.stderr).toBe("");
    expect(delta.stdout).toBe(full.stdout);
    expect(run(["apply", planFile]).code).toBe(0);
    const rows = await query<{ outputs: string }>(`SELECT outputs FROM ${schema}.resources WHERE address = 'system.web01'`);
    expect(JSON.parse(rows[0].outputs).kernelArgs).toEqual(["quiet"]);
  });

  /** The lab applied on PostgreSQL, and the compiled modules that read its state ahead of the lock. */
  async function appliedLabForPrefetch() {
    const { dir, env, schema } = pgLab();
    expect(runBin(["apply", dir, "--auto-approve"], { env }).code).toBe(0);
    const { PgStatePrefetch } = await import(join(REPO, "dist/state/pg-prefetch.js"));
    const { pgStore } = await import(join(REPO, "dist/state/pg-backend.js"));
    const { documentOf } = await import(join(REPO, "dist/state/pg-snapshot.js"));
    const { closePgConnections } = await import(join(REPO, "dist/state/pg-connect.js"));
    return { dir, env, schema, target: { url: server!.url, schema }, PgStatePrefetch, pgStore, documentOf, closePgConnections };
  }

  it("a state read while the stack loads is used only when nothing wrote since: a change or a journaled start makes the store read again", async (ctx) => {
    needPostgres(ctx);
    const { dir, env, schema, target, PgStatePrefetch, pgStore, documentOf, closePgConnections } = await appliedLabForPrefetch();
    const readNow = async () => (await pgStore(target, "lab")).read();
    const adopting = async (p: unknown) => {
      const store = await pgStore(target, "lab");
      store.adopt(p);
      return store.read();
    };
    try {
      // Nothing wrote: the worker's snapshot is the state, record for record (its JSON text is exact).
      const fresh = await readNow();
      expect(Object.keys(fresh.resources)).toHaveLength(29);
      const early = PgStatePrefetch.start(target, "lab");
      const snap = await early.snapshot;
      expect(snap?.head.serial).toBe(29);
      expect(documentOf(snap.head, snap.resources, "lab")).toEqual({ ...fresh, lineage: snap.head.lineage });
      expect(await adopting(early)).toEqual(fresh);

      // Another run applied a change after the snapshot: the store reads the state as it is now.
      const stale = PgStatePrefetch.start(target, "lab");
      await stale.snapshot;
      editStackFile(dir, "profiles.yaml", "packages: [nginx]", "packages: [nginx, certbot]");
      expect(runBin(["apply", dir, "--auto-approve"], { env }).stdout).toMatch(/^Apply complete: 0 added, 3 changed/m);
      const changed = await adopting(stale);
      expect(changed.serial).toBeGreaterThan(29);
      expect(changed).toEqual(await readNow());

      // A crashed run journaled a start and no more (the serial did not move): still read again.
      const before = PgStatePrefetch.start(target, "lab");
      await before.snapshot;
      await query(`INSERT INTO ${schema}.operations (stack, address, action, started_at) VALUES ('lab', 'system.web01', 'update', 'now')`);
      expect((await adopting(before)).pending).toEqual([{ address: "system.web01", action: "update", startedAt: "now" }]);
    } finally {
      await closePgConnections();
    }
  });

  it("a state read while the stack loads comes over in parts when it is large, record for record", { timeout: 60_000 }, async (ctx) => {
    needPostgres(ctx);
    const { target, PgStatePrefetch, pgStore, documentOf, closePgConnections } = await appliedLabForPrefetch();
    try {
      // About 6 million characters of records: more runs than the worker sends in one message, and more
      // rows than its cursor fetches at once (2,000).
      const store = await pgStore(target, "lab");
      await store.read();
      const w = await store.writer();
      const note = (i: number): string => "é".repeat(2400 + (i % 100));
      await Promise.all(Array.from({ length: 4500 }, (_, i) =>
        w.record(`system.bulk${i}`, { kind: "system", id: `bulk${i}`, outputs: { name: `bulk${i}`, note: note(i) }, dependsOn: [] })));
      await w.commit();
      const fresh = await (await pgStore(target, "lab")).read();
      expect(Object.keys(fresh.resources)).toHaveLength(4529);
      for (const i of [0, 1999, 2000, 4001, 4499]) expect(fresh.resources[`system.bulk${i}`].outputs.note).toBe(note(i));
      const snap = await PgStatePrefetch.start(target, "lab").snapshot;
      const read = documentOf(snap.head, snap.resources, "lab");
      expect(read).toEqual({ ...fresh, lineage: snap.head.lineage });
      expect(Object.keys(read.resources)).toEqual(Object.keys(fresh.resources));
      // One run per message and two waiting at most, while this thread is busy as it is loading a
      // stack: the worker waits for each answer, and the records still all come, in order.
      const slow = PgStatePrefetch.start(target, "lab", { runsPerMessage: 1, unparsedAtMost: 2 });
      const busyUntil = Date.now() + 300;
      while (Date.now() < busyUntil);
      const small = await slow.snapshot;
      expect(documentOf(small.head, small.resources, "lab")).toEqual(read);
      expect(Object.keys(small.resources)).toEqual(Object.keys(fresh.resources));
    } finally {
      await closePgConnections();
    }
  });

  it("names the missing URL variable and an unreachable database in one line", async (ctx) => {
    needPostgres(ctx);
    const { dir } = pgLab();
    const missing = runBin(["plan", dir], { env: { BOOTPLAN_PG_URL: "" } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("Error: state.url: environment variable BOOTPLAN_PG_URL is not set (it holds the PostgreSQL URL, e.g. postgres://user@host/db)\n");
    const down = runBin(["plan", dir], { env: { BOOTPLAN_PG_URL: "postgres://bootplan:hunter2@127.0.0.1:1/postgres" } });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^Error: connecting in PostgreSQL postgres:\/\/bootplan:\*\*\*@127\.0\.0\.1:1\/postgres \(schema \w+\) failed: .*\n$/);
    expect(down.stderr).not.toContain("hunter2");
    // enc before any apply: its one-query path finds no tables, and the store's path makes them and answers.
    const fresh = runBin(["enc", "web01.lab.example", dir], { env: { BOOTPLAN_PG_URL: server!.url } });
    expect(fresh.stderr).toMatch(/^Error: web01\.lab\.example: not a node of any puppet CM system in PostgreSQL postgres:\/\/\S+ \(schema \w+, stack lab\)\n$/);
    expect(fresh.code).toBe(1);
  });
});
