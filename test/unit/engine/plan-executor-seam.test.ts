/**
 * computePlan through the executor seam: providers are asked for by kind and address, several checks
 * run at once, the plan keeps its order, and a provider's failure names the resource. The providers
 * are in-memory stand-ins for the provider interface: what is under test is how the planner calls
 * them (the e2e tests run the real providers through both executors).
 */
import { describe, expect, it } from "vitest";
import { computePlan } from "../../../src/engine/plan.js";
import { ResourceError } from "../../../src/errors.js";
import type { DesiredResource } from "../../../src/graph/resource.js";
import type { BootplanProvider } from "../../../src/providers/types.js";
import type { StateDocument } from "../../../src/state/types.js";

const state: StateDocument = { version: 1, lineage: "l", serial: 0, stack: "t", resources: {}, pending: [] };
const desired: DesiredResource[] = Array.from({ length: 40 }, (_, i) => ({
  address: `profile.p${String(i).padStart(2, "0")}`, kind: "profile", name: `p${i}`, inputs: { name: `p${i}` }, dependsOn: [], secretNames: [],
}));

function provider(inFlight: { now: number; max: number }, failOn?: string): BootplanProvider {
  return {
    check: async (_o, news) => {
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      await new Promise((r) => setTimeout(r, 2));
      inFlight.now--;
      if (news.name === failOn) throw new Error("host says no");
      return { inputs: news };
    },
    diff: async () => ({ changes: false }),
    create: async (i) => ({ id: String(i.name), outs: i }),
    read: async (id, p) => ({ id, props: p }),
    update: async (_id, _o, n) => ({ outs: n }),
    delete: async () => {},
  };
}

describe("computePlan through the executor seam", () => {
  it("asks for each provider by kind and address, keeps several checks in flight, and plans in address order", async () => {
    const asked: string[] = [];
    const inFlight = { now: 0, max: 0 };
    const p = provider(inFlight);
    const plan = await computePlan(desired, state, { stack: "t", fingerprint: "f", providerFor: (kind, address) => (asked.push(`${kind} ${address}`), p) });
    expect(asked).toContain("profile profile.p07");
    expect(inFlight.max).toBeGreaterThan(1);
    expect(plan.changes.map((c) => c.address)).toEqual(desired.map((r) => r.address));
  });

  it("reports a provider's failure as an error naming the resource", async () => {
    const p = provider({ now: 0, max: 0 }, "p13");
    const err = await computePlan(desired, state, { stack: "t", fingerprint: "f", providerFor: () => p }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceError);
    expect((err as Error).message).toBe("profile.p13: host says no");
  });
});
