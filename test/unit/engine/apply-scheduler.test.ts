/**
 * The apply scheduler: dependency order, bounded parallelism, deletes after their dependents, and
 * a failure skipping only what depends on it. The providers here are in-memory recorders of the provider
 * interface, because what is under test is the order and concurrency of calls, not their effects
 * (the e2e tests run the real providers).
 */
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/engine/apply.js";
import type { ExecutablePlan, PlannedChange } from "../../../src/engine/types.js";
import type { BootplanProvider } from "../../../src/providers/types.js";
import type { ResourceRecord, StateDocument, StateWriter } from "../../../src/state/types.js";

function memoryWriter(resources: Record<string, ResourceRecord> = {}): StateWriter & { log: string[] } {
  const doc: StateDocument = { version: 1, lineage: "l", serial: 0, stack: "t", resources, pending: [] };
  const log: string[] = [];
  return {
    log,
    begin: (a, action) => void log.push(`begin ${action} ${a}`),
    record: (a, rec) => void ((doc.resources[a] = rec), log.push(`record ${a}`)),
    remove: (a) => void (delete doc.resources[a], log.push(`remove ${a}`)),
    commit: () => doc,
    current: () => doc,
  };
}

/** A provider whose operations take `ms` and are logged with the number in flight. */
function slowProvider(events: string[], inFlight: { now: number; max: number }, ms = 5, failOn?: string): BootplanProvider {
  const op = async (what: string, name: string) => {
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    events.push(`${what} ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    inFlight.now--;
    if (name === failOn) throw new Error(`disk full writing ${name}`);
  };
  return {
    check: async (_o, n) => ({ inputs: n }),
    diff: async () => ({ changes: false }),
    create: async (i) => (await op("create", String(i.name)), { id: String(i.name), outs: i }),
    read: async (id, p) => ({ id, props: p }),
    update: async (_id, _o, n) => (await op("update", String(n.name)), { outs: n }),
    delete: async (id) => void (await op("delete", id)),
  };
}

function change(address: string, action: PlannedChange["action"], dependsOn: string[] = []): PlannedChange {
  return { address, kind: address.split(".")[0], action, fields: [], files: [], dependsOn };
}

function plan(changes: PlannedChange[]): ExecutablePlan {
  const inputs = Object.fromEntries(changes.filter((c) => c.action !== "delete").map((c) => [c.address, { name: c.address.split(".")[1] }]));
  return { formatVersion: 1, stack: "t", fingerprint: "f", state: { lineage: "l", serial: 0 }, targets: [], changes, summary: { add: 0, change: 0, replace: 0, destroy: 0, unchanged: 0 }, warnings: [], inputs, secretNames: {}, refresh: {} };
}

describe("apply scheduler", () => {
  it("creates dependencies before dependents and never exceeds --parallelism", async () => {
    const events: string[] = [];
    const flight = { now: 0, max: 0 };
    const p = slowProvider(events, flight);
    const systems = Array.from({ length: 12 }, (_, i) => change(`system.s${i}`, "create", ["profile.web", "distro.d"]));
    const result = await applyPlan(plan([...systems, change("profile.web", "create", ["distro.d"]), change("distro.d", "create")]), memoryWriter(), { providerFor: () => p, parallelism: 3, secrets: {} });
    expect(result).toEqual({ done: 14, failed: [], skipped: [] });
    expect(events.slice(0, 2)).toEqual(["create d", "create web"]);
    expect(flight.max).toBe(3);
  });

  it("deletes a resource only after the resources that depended on it are gone", async () => {
    const events: string[] = [];
    const p = slowProvider(events, { now: 0, max: 0 });
    const rec = (dependsOn: string[]): ResourceRecord => ({ kind: "x", id: "", outputs: {}, dependsOn });
    const writer = memoryWriter({ "profile.old": { ...rec([]), id: "old" }, "system.a": { ...rec(["profile.old"]), id: "a" } });
    await applyPlan(plan([change("profile.old", "delete"), change("system.a", "delete")]), writer, { providerFor: () => p, parallelism: 10, secrets: {} });
    expect(events).toEqual(["delete a", "delete old"]);
    expect(writer.current().resources).toEqual({});
  });

  it("after a failure skips what depends on it, carries on with independent work and records only what completed", async () => {
    const events: string[] = [];
    const p = slowProvider(events, { now: 0, max: 0 }, 5, "d");
    const writer = memoryWriter();
    const changes = [change("distro.d", "create"), change("distro.e", "create"), change("system.s", "create", ["distro.d"]), change("cm.x.s", "create", ["system.s"]), change("system.t", "create", ["distro.e"])];
    const result = await applyPlan(plan(changes), writer, { providerFor: () => p, parallelism: 1, secrets: {} });
    expect(result.failed).toEqual([{ address: "distro.d", error: "disk full writing d" }]);
    expect(result.skipped).toEqual(["cm.x.s", "system.s"]);
    expect(result.done).toBe(2);
    expect(writer.log).toEqual(["begin create distro.d", "begin create distro.e", "record distro.e", "begin create system.t", "record system.t"]);
    expect(writer.current().resources["distro.d"]).toBeUndefined();
  });

  it("passes secret values to the provider only as the __secrets input", async () => {
    let seen: Record<string, unknown> = {};
    const p: BootplanProvider = { ...slowProvider([], { now: 0, max: 0 }), create: async (i) => ((seen = i), { id: "w", outs: { name: "w" } }) };
    const pl = plan([change("system.w", "create")]);
    pl.secretNames["system.w"] = ["pw"];
    await applyPlan(pl, memoryWriter(), { providerFor: () => p, parallelism: 1, secrets: { pw: "$6$x", other: "nope" } });
    expect(seen.__secrets).toEqual({ pw: "$6$x" });
  });

  it("holds neither the diffs nor a finished operation's rendered text while the rest applies", async () => {
    const seen: string[] = [];
    const pl = plan([change("distro.d", "create"), change("system.s", "create", ["distro.d"]), change("system.t", "create", ["system.s"])]);
    for (const c of pl.changes) {
      c.fields = [{ path: "name", new: c.address }];
      c.files = [{ path: `${c.address}.cfg`, action: "create", added: 1, removed: 0, diff: "+text" }];
      c.notes = ["uses external list x"];
      pl.inputs[c.address] = { ...pl.inputs[c.address], files: { [`${c.address}.cfg`]: "rendered text" } };
    }
    const p: BootplanProvider = {
      ...slowProvider([], { now: 0, max: 0 }),
      create: async (i) => {
        // What the plan still holds when each operation runs.
        seen.push(`${String(i.name)}: inputs ${Object.keys(pl.inputs).join(" ")}; diffs ${pl.changes.filter((c) => c.fields.length || c.files.length || c.notes).length}`);
        return { id: String(i.name), outs: { name: i.name } };
      },
    };
    await applyPlan(pl, memoryWriter(), { providerFor: () => p, parallelism: 1, secrets: {} });
    expect(seen).toEqual(["d: inputs distro.d system.s system.t; diffs 0", "s: inputs system.s system.t; diffs 0", "t: inputs system.t; diffs 0"]);
    expect(pl.inputs).toEqual({});
  });

  it("frees an operation's slot once its provider is done: slow commits do not hold back independent work, and dependents wait for the record", async () => {
    const events: string[] = [];
    const inner = memoryWriter();
    // A writer whose commits take a while, as a database's do (a round trip and a WAL flush).
    const writer: StateWriter = {
      ...inner,
      record: async (a, rec) => {
        events.push(`recording ${a}`);
        await new Promise((r) => setTimeout(r, 30));
        inner.record(a, rec);
        events.push(`recorded ${a}`);
      },
    };
    const flight = { now: 0, max: 0 };
    const p = slowProvider(events, flight, 1);
    const result = await applyPlan(plan([change("system.a", "create"), change("system.b", "create"), change("system.c", "create"), change("cm.x.a", "create", ["system.a"])]), writer, { providerFor: () => p, parallelism: 1, secrets: {} });
    expect(result.done).toBe(4);
    expect(flight.max).toBe(1);
    // b and c ran while a's record was being committed; a's dependent only once it was.
    expect(events.indexOf("create c")).toBeLessThan(events.indexOf("recorded system.a"));
    expect(events.indexOf("create x")).toBeGreaterThan(events.indexOf("recorded system.a"));
    expect(Object.keys(inner.current().resources).sort()).toEqual(["cm.x.a", "system.a", "system.b", "system.c"]);
  });
});
