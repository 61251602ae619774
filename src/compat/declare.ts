/** Reads `packages:`, `overrides:` and every `requires:` from raw stack entries into the model, with positions. */
import { sha256Hex } from "../util/hash.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve as resolvePath } from "node:path";
import { StackError } from "../errors.js";
import type { ExternalList, InstallableKind, Package, RequirementList } from "../model/stack.js";
import { PackageFileError } from "../packages/errors.js";
import { metadataRequirements, readPackageFile } from "../packages/read.js";
import type { RawEntry, RawStack } from "../stack/raw.js";
import { formatDocPath, lazyPosition, locate, type DocPath } from "../stack/yaml.js";
import { KNOWN_ATTRIBUTES } from "./attributes.js";
import { compileConstraint, formatConstraint, readConstraint, sameConstraint } from "./constraint.js";
import { parseRange, RangeSyntaxError } from "./version.js";

const at = (e: RawEntry, sub: DocPath, how: "key" | "value" = "value") => locate(e.file, [...e.path, ...sub], how);
const name = (e: RawEntry, sub: DocPath) => formatDocPath([...e.path, ...sub]);

/** Reads the constraint map at `sub` of an entry (e.g. ["requires"]); bad constraints become errors. */
export function readRequirements(e: RawEntry, sub: DocPath, origin: string, errors: StackError[]): RequirementList {
  const out: RequirementList = {};
  const raw = sub.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k as string], e.value) as Record<string, unknown> | undefined;
  for (const [attr, value] of Object.entries(raw ?? {})) {
    const c = readConstraint(attr, value);
    if (typeof c === "string") {
      errors.push(new StackError("compat.invalid-constraint", at(e, [...sub, attr]), `${name(e, sub)}.${c}`));
      continue;
    }
    out[attr] = { constraint: c, source: lazyPosition(e.file, [...e.path, ...sub, attr], "key"), origin };
  }
  return out;
}

/** Merges `requires:` along a profile's inheritance chain (root first): the nearest declaration wins. */
export function readProfileRequirements(chain: RawEntry[], errors: StackError[]): RequirementList {
  const out: RequirementList = {};
  for (const e of chain) Object.assign(out, readRequirements(e, ["requires"], `profile ${e.name} requires`, e === chain[chain.length - 1] ? errors : []));
  return out;
}

/** Reads a package's own file, checked against its stack entry; adds its hash to the fingerprint. */
function readOwnFile(raw: RawStack, e: RawEntry, rel: string, requires: RequirementList, errors: StackError[], fp: string[]): string | undefined {
  const abs = resolvePath(raw.dir, rel);
  const back = relative(raw.dir, abs);
  const pos = lazyPosition(e.file, [...e.path, "source"], "value");
  if (back.startsWith("..") || isAbsolute(back)) {
    errors.push(new StackError("stack.path-escape", pos, `${name(e, ["source"])}: ${JSON.stringify(rel)} is outside the stack directory`));
    return undefined;
  }
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    errors.push(new StackError("stack.missing-file", pos, `${name(e, ["source"])}: no such package file ${JSON.stringify(rel)}`));
    return undefined;
  }
  let meta;
  try {
    meta = readPackageFile(abs, rel);
    fp.push(`package:${rel}:${sha256Hex(readFileSync(abs))}`);
    for (const [attr, c] of Object.entries(metadataRequirements(meta, rel))) {
      const declared = requires[attr];
      if (declared && !sameConstraint(compileConstraint(attr, declared.constraint), compileConstraint(attr, c))) {
        errors.push(new StackError("compat.contradicts-package", declared.source, `${name(e, ["requires", attr])}: ${formatConstraint(compileConstraint(attr, declared.constraint))} contradicts the package file's own ${attr} ${formatConstraint(compileConstraint(attr, c))} (${rel}); declare more attributes compatible in an external list under overrides:`));
        continue;
      }
      requires[attr] = { constraint: c, source: pos, origin: rel };
    }
  } catch (err) {
    if (!(err instanceof PackageFileError)) throw err;
    errors.push(new StackError("package.unreadable", pos, `${name(e, ["source"])}: ${err.message}`));
    return undefined;
  }
  const version = e.value.version === undefined ? undefined : String(e.value.version);
  if (version !== undefined && version !== meta.version) {
    errors.push(new StackError("compat.version-mismatch", at(e, ["version"]), `${name(e, ["version"])}: ${JSON.stringify(version)} differs from the package file's version ${JSON.stringify(meta.version)} (${rel})`));
  }
  return meta.version;
}

/** The installables declared under `packages:`. */
export function resolvePackages(raw: RawStack, errors: StackError[], fp: string[]): Record<string, Package> {
  const out: Record<string, Package> = {};
  for (const e of raw.kinds.packages.values()) {
    const v = e.value as { version?: string | number; source?: string; optional?: boolean };
    const requires = readRequirements(e, ["requires"], "requires", errors);
    const fileVersion = v.source !== undefined ? readOwnFile(raw, e, v.source, requires, errors, fp) : undefined;
    const version = v.version !== undefined ? String(v.version) : fileVersion;
    if (version === undefined) {
      if (v.source === undefined) errors.push(new StackError("stack.missing-key", at(e, [], "key"), `${name(e, [])}: missing required key "version" (or a source: package file that carries one)`));
      continue;
    }
    out[e.name] = { name: e.name, version, file: v.source, requires, optional: v.optional ?? false, source: lazyPosition(e.file, e.path, "key") };
  }
  return out;
}

const KIND_OF: Record<InstallableKind, "packages" | "distros" | "profiles"> = { package: "packages", distro: "distros", profile: "profiles" };

/** The external lists declared under `overrides:`; each must name an installable that exists. */
export function resolveOverrides(raw: RawStack, errors: StackError[]): Record<string, ExternalList> {
  const out: Record<string, ExternalList> = {};
  for (const e of raw.kinds.overrides.values()) {
    const v = e.value as { package?: string; distro?: string; profile?: string; versions?: string; reason: string; priority?: number };
    const kinds = (["package", "distro", "profile"] as const).filter((k) => v[k] !== undefined);
    if (kinds.length !== 1) {
      errors.push(new StackError("compat.override-target", at(e, [], "key"), `${name(e, [])}: name exactly one of package, distro or profile it applies to${kinds.length ? ` (found ${kinds.join(" and ")})` : ""}`));
      continue;
    }
    const kind = kinds[0];
    const target = String(v[kind]);
    const pool = raw.kinds[KIND_OF[kind]];
    if (!pool.has(target)) {
      const names = [...pool.keys()];
      errors.push(new StackError("compat.unknown-installable", at(e, [kind]), `${name(e, [kind])}: no ${kind} named ${JSON.stringify(target)} to apply to (${KIND_OF[kind]}: ${names.join(", ") || "none"})`));
      continue;
    }
    if (v.versions !== undefined) {
      if (kind === "profile") {
        errors.push(new StackError("compat.invalid-range", at(e, ["versions"]), `${name(e, ["versions"])}: profiles have no version; remove versions:`));
        continue;
      }
      try {
        parseRange(String(v.versions));
      } catch (err) {
        if (!(err instanceof RangeSyntaxError)) throw err;
        errors.push(new StackError("compat.invalid-range", at(e, ["versions"]), `${name(e, ["versions"])}: ${err.message}`));
        continue;
      }
    }
    const attributes = readRequirements(e, ["attributes"], `external list ${e.name}`, errors);
    out[e.name] = {
      name: e.name, applies: { kind, name: target, ...(v.versions !== undefined ? { versions: String(v.versions) } : {}) },
      attributes, reason: v.reason, ...(v.priority !== undefined ? { priority: v.priority } : {}), source: lazyPosition(e.file, e.path, "key"),
    };
  }
  return out;
}

/** What a target's value of each attribute type must look like. */
const VALUE_SHAPE: Record<string, { ok: (v: unknown) => boolean; expected: string }> = {
  values: { ok: (v) => typeof v === "string" || typeof v === "number", expected: "a single value" },
  numeric: { ok: (v) => typeof v === "number" && Number.isFinite(v), expected: "a number" },
  version: { ok: (v) => typeof v === "string" || typeof v === "number", expected: "a version" },
  flags: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === "string"), expected: "a list of flags" },
};

/** Systems' values of known attributes must have the attribute's type (memoryMiB a number, cpuFlags a list...). */
export function checkSystemAttributes(raw: RawStack, errors: StackError[]): void {
  for (const e of raw.kinds.systems.values()) {
    const attrs = e.value.attributes as Record<string, unknown> | undefined;
    if (!attrs) continue;
    for (const [k, v] of Object.entries(attrs)) {
      const type = KNOWN_ATTRIBUTES[k];
      if (!type || VALUE_SHAPE[type].ok(v)) continue;
      errors.push(new StackError("stack.wrong-type", at(e, ["attributes", k]), `${name(e, ["attributes", k])}: expected ${VALUE_SHAPE[type].expected}, found ${Array.isArray(v) ? "a list" : v === null ? "null" : typeof v === "object" ? "a map" : JSON.stringify(v)}`));
    }
  }
}
