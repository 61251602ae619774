/** Version ranges: comparison order, range matching, and ranges that cannot parse or never match. */
import { describe, expect, it } from "vitest";
import { compareVersions, parseRange, RangeSyntaxError, satisfies } from "../../../src/compat/version.js";

describe("version comparison", () => {
  it.each([
    ["550.54", "550.9", 1],
    ["6.1", "6.1.0", -1],
    ["1.0~rc1", "1.0", -1],
    ["2:1.0", "9.9", 1],
    ["1.0a", "1.0b", -1],
    ["12", "12", 0],
  ])("orders %s against %s as %i", (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a)).toBe(-want || 0);
  });
});

describe("version ranges", () => {
  it("matches all comparators of a group and any group", () => {
    const r = parseRange(">=550 <600 || =470.1");
    expect(["550", "550.54", "599.9", "470.1"].map((v) => satisfies(v, r))).toEqual([true, true, true, true]);
    expect(["549.9", "600", "470"].map((v) => satisfies(v, r))).toEqual([false, false, false]);
  });

  it("reads a bare version as an exact match", () => {
    expect(satisfies("6.1", parseRange("6.1"))).toBe(true);
    expect(satisfies("6.2", parseRange("6.1"))).toBe(false);
  });

  it.each([">=", "550 <", "~>5", ">= 5 || ", "five", "=> 5"])("refuses the unparsable range %j", (text) => {
    expect(() => parseRange(text)).toThrow(RangeSyntaxError);
  });

  it.each([">=600 <550", ">5 <5", ">=5 <5"])("refuses %j, which can never match", (text) => {
    expect(() => parseRange(text)).toThrow(/can never match/);
  });

  it("accepts a range that only touches at an inclusive bound", () => {
    expect(satisfies("5", parseRange(">=5 <=5"))).toBe(true);
  });
});

describe("version range spacing", () => {
  it("reads a space after the operator as part of the comparator", () => {
    expect(satisfies("6.2", parseRange(">= 6.1 < 7"))).toBe(true);
  });
});
