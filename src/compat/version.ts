/** Versions and version ranges (">=550 <600", "=1.2 || >=2"), parsed once and checked many times. */

/** One comparison such as `>=6.1`. */
export interface Comparator {
  op: ">=" | ">" | "<=" | "<" | "=";
  version: string;
}

/** A parsed range: any of the groups matches, a group matches when all its comparators do. */
export interface VersionRange {
  text: string;
  groups: Comparator[][];
}

/** A range text that does not parse, or that no version can satisfy; `detail` says which. */
export class RangeSyntaxError extends Error {}

const SEGMENT = /(\d+|[A-Za-z]+|~)/g;

/**
 * Compares two versions the way package managers mostly agree on: digit runs numerically, letter
 * runs lexically, `~` sorts before everything (pre-releases), an optional `epoch:` first.
 */
export function compareVersions(a: string, b: string): number {
  const [ea, ra] = splitEpoch(a);
  const [eb, rb] = splitEpoch(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  const sa = ra.match(SEGMENT) ?? [];
  const sb = rb.match(SEGMENT) ?? [];
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const x = sa[i], y = sb[i];
    if (x === y) continue;
    // A missing segment sorts after "~" (1.0~rc1 < 1.0) but before anything else (1.0 < 1.0.1).
    if (x === undefined) return y === "~" ? 1 : -1;
    if (y === undefined) return x === "~" ? -1 : 1;
    if (x === "~" || y === "~") return x === "~" ? -1 : 1;
    const nx = /^\d/.test(x), ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0 ? -1 : 1;
    } else if (nx !== ny) {
      return nx ? 1 : -1; // 1.0.1 > 1.0.a: numbers outrank letters, as in rpmvercmp
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

function splitEpoch(v: string): [number, string] {
  const m = /^(\d+):(.*)$/.exec(v);
  return m ? [Number(m[1]), m[2]] : [0, v];
}

const COMPARATOR = /^(>=|<=|>|<|=)?([0-9][0-9A-Za-z.+~:_-]*)$/;

/** Parses a range; throws RangeSyntaxError for text that does not parse or can never match. */
export function parseRange(text: string): VersionRange {
  const groups = text.split("||").map((g) => g.trim());
  if (!text.trim() || groups.some((g) => !g)) throw new RangeSyntaxError(`expected a version range like ">=550 <600", found ${JSON.stringify(text)}`);
  const parsed = groups.map((g) =>
    // ">= 6" reads as ">=6"; then spaces separate the comparators of a group.
    g.replace(/(>=|<=|>|<|=)\s+/g, "$1").split(/\s+/).map((part): Comparator => {
      const m = COMPARATOR.exec(part);
      if (!m) throw new RangeSyntaxError(`cannot read ${JSON.stringify(part)} in version range ${JSON.stringify(text)} (expected comparisons like >=6.1, <7, =550.54)`);
      return { op: (m[1] ?? "=") as Comparator["op"], version: m[2] };
    }),
  );
  if (parsed.every((g) => groupIsEmpty(g))) throw new RangeSyntaxError(`version range ${JSON.stringify(text)} can never match (its lower bound is above its upper bound)`);
  return { text, groups: parsed };
}

/** True when no version satisfies every comparator of the group. */
function groupIsEmpty(group: Comparator[]): boolean {
  let lo: { v: string; incl: boolean } | undefined;
  let hi: { v: string; incl: boolean } | undefined;
  for (const c of group) {
    const incl = c.op !== ">" && c.op !== "<";
    if (c.op !== "<" && c.op !== "<=") {
      const d = lo ? compareVersions(c.version, lo.v) : 1;
      if (d > 0 || (d === 0 && !incl)) lo = { v: c.version, incl };
    }
    if (c.op !== ">" && c.op !== ">=") {
      const d = hi ? compareVersions(c.version, hi.v) : -1;
      if (d < 0 || (d === 0 && !incl)) hi = { v: c.version, incl };
    }
  }
  if (!lo || !hi) return false;
  const d = compareVersions(lo.v, hi.v);
  return d > 0 || (d === 0 && !(lo.incl && hi.incl));
}

/** True when `version` lies in `range`. */
export function satisfies(version: string, range: VersionRange): boolean {
  return range.groups.some((g) =>
    g.every((c) => {
      const d = compareVersions(version, c.version);
      switch (c.op) {
        case ">=": return d >= 0;
        case ">": return d > 0;
        case "<=": return d <= 0;
        case "<": return d < 0;
        default: return d === 0;
      }
    }),
  );
}

/** The canonical text of a range (single spaces), so equal ranges compare equal. */
export function canonicalRange(r: VersionRange): string {
  return r.groups.map((g) => g.map((c) => `${c.op}${c.version}`).join(" ")).join(" || ");
}
