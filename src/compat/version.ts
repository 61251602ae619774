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

/**
 * How versions are ordered: `dpkg` as `dpkg --compare-versions` (Debian packages, and the default
 * for attributes such as kernel versions), `rpm` as rpm's rpmvercmp on [epoch:]version[-release].
 */
export type VersionScheme = "dpkg" | "rpm";

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));

/** dpkg's character order in non-digit runs: `~` first, then the end of the string, letters, everything else. */
function dpkgOrder(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (by dpkgOrder) and digit runs (numerically). */
function dpkgPartCompare(a: string, b: string): number {
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a[i]), bc = dpkgOrder(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Splits `[epoch:]upstream[-revision]` as dpkg does: epoch before the first colon, revision after the last hyphen. */
function dpkgParts(v: string): [number, string, string] {
  const colon = v.indexOf(":");
  const epoch = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? Number(v.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(v.slice(0, colon)) ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf("-");
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ""];
}

/** Compares two Debian versions exactly as `dpkg --compare-versions` does; -1, 0 or 1. */
export function compareDebianVersions(a: string, b: string): number {
  const [ea, ua, ra] = dpkgParts(a);
  const [eb, ub, rb] = dpkgParts(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return Math.sign(dpkgPartCompare(ua, ub) || dpkgPartCompare(ra, rb));
}

const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpm's rpmvercmp on one version or release string; -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    if (a[i] === "~" || b[j] === "~") {
      if (a[i] !== "~") return 1;
      if (b[j] !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === "^" || b[j] === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== "^") return 1;
      if (b[j] !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(a[i]);
    const inRun = numeric ? isDigit : isAlpha;
    let si = i, sj = j;
    while (inRun(a[si])) si++;
    while (inRun(b[sj])) sj++;
    if (sj === j) return numeric ? 1 : -1; // a number is newer than letters
    let x = a.slice(i, si), y = b.slice(j, sj);
    if (numeric) {
      x = x.replace(/^0+/, "");
      y = y.replace(/^0+/, "");
      if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    }
    if (x !== y) return x < y ? -1 : 1;
    i = si;
    j = sj;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Splits `[epoch:]version[-release]` as rpm's parseEVR does: an epoch only when all digits precede the colon; no hyphen, no release. */
function rpmParts(v: string): [string, string, string | undefined] {
  const m = /^(\d*):/.exec(v);
  const epoch = m ? m[1] || "0" : "0";
  const rest = m ? v.slice(m[0].length) : v;
  const dash = rest.lastIndexOf("-");
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, undefined];
}

/**
 * Compares two RPM [epoch:]version[-release] strings as `rpm.vercmp` does: epoch, then version, by
 * rpmvercmp; then the releases, where a version with a release (even an empty one) is newer than one without.
 */
export function compareRpmVersions(a: string, b: string): number {
  const [ea, va, ra] = rpmParts(a);
  const [eb, vb, rb] = rpmParts(b);
  const rel = ra === undefined || rb === undefined ? (ra === rb ? 0 : ra === undefined ? -1 : 1) : rpmvercmp(ra, rb);
  return rpmvercmp(ea, eb) || rpmvercmp(va, vb) || rel;
}

/** Compares two versions under a scheme (default dpkg); -1, 0 or 1. */
export function compareVersions(a: string, b: string, scheme: VersionScheme = "dpkg"): number {
  return scheme === "rpm" ? compareRpmVersions(a, b) : compareDebianVersions(a, b);
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

/** True when `version` lies in `range`, comparing with the version's own scheme. */
export function satisfies(version: string, range: VersionRange, scheme: VersionScheme = "dpkg"): boolean {
  return range.groups.some((g) =>
    g.every((c) => {
      const d = compareVersions(version, c.version, scheme);
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
