/** The decider's memo: systems of the same shape share decisions, yet each failure names its own system. */
import { describe, expect, it } from "vitest";
import { CompatDecider } from "../../../src/compat/decide.js";
import { measureCompat, syntheticCompatStack } from "../../../src/compat/measure.js";

describe("compat decider memo", () => {
  it("shares one decision among look-alike systems and names each failing system", () => {
    const s = syntheticCompatStack({ systems: 2, packagesPerSystem: 1, lists: 0, profiles: 1 });
    s.systems.sys1.attributes = { ...s.systems.sys0.attributes };
    s.packages.pkg0.requires.memoryMiB.constraint = { type: "numeric", min: 100_000 };
    s.packages.pkg0.optional = false;
    const decider = new CompatDecider(s);
    const [a, b] = [decider.decide(s.systems.sys0), decider.decide(s.systems.sys1)];
    expect(a.decisions).toBe(b.decisions);
    expect(a.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^system\.sys0: package pkg0 1\.0: memoryMiB 4096 is below the minimum 100000/)]);
    expect(b.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^system\.sys1: package pkg0 1\.0: memoryMiB 4096 is below the minimum 100000/)]);
  });

  it("decides every installable of every system of the bench fleet, all compatible", () => {
    expect(measureCompat({ systems: 200, packagesPerSystem: 20, lists: 200 })).toMatchObject({ decisions: 200 * 22, incompatible: 0 });
  });
});
