import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isIpv4, parseCidr } from "../../../src/util/net.js";

// The split-per-octet definition isIpv4 replaced with one pattern; the property holds them equal.
const byOctets = (text: string): boolean => {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
};

describe("net: IPv4 addresses", () => {
  it("accepts dotted quads and rejects leading zeros, large octets and stray text", () => {
    for (const ok of ["0.0.0.0", "10.0.2.15", "255.255.255.255", "192.168.100.9"]) expect(isIpv4(ok), ok).toBe(true);
    for (const bad of ["256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.4\n", "", "300.2.3.4", "1.2.3.-4"]) {
      expect(isIpv4(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it("agrees with the per-octet definition on random text built from digits and dots", () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{1,4}$/));
    const text = fc.oneof(fc.array(octet, { minLength: 3, maxLength: 5 }).map((xs) => xs.join(".")), fc.stringMatching(/^[0-9.]{0,16}$/));
    fc.assert(fc.property(text, (t) => isIpv4(t) === byOctets(t)), { numRuns: 5000 });
  });

  it("parses a CIDR only around a valid address and a prefix up to 32", () => {
    expect(parseCidr("10.0.2.15/24")).toEqual({ ip: "10.0.2.15", prefix: 24 });
    expect(parseCidr("10.0.2.256/24")).toBeUndefined();
    expect(parseCidr("10.0.2.15/33")).toBeUndefined();
  });
});
