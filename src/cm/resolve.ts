/**
 * Resolves `cm:` and every `manage:` binding: checks each CM system's settings and each profile's and
 * system's binding where it is written, then merges each system's bindings along its profile chain.
 */
import { StackError } from "../errors.js";
import type { Profile, System } from "../model/stack.js";
import type { RawEntry, RawStack } from "../stack/raw.js";
import { lazyPosition, locate } from "../stack/yaml.js";
import { isPlainObject } from "../util/merge.js";
import { ADAPTERS } from "./adapters.js";
import type { Issue } from "./adapter.js";
import { mergedBinding } from "./merge.js";
import type { CmSystem, CmType, Origin, Plain } from "./types.js";

/** What resolving the CM part of a stack yields: the CM systems with their members, or the problems found. */
export interface CmResolution {
  cm: Record<string, CmSystem>;
  errors: StackError[];
}

const dotted = (path: ReadonlyArray<string | number>): string =>
  path.map((s, i) => (typeof s === "number" ? `[${s}]` : i ? `.${s}` : s)).join("");

function issueError(e: RawEntry, base: (string | number)[], i: Issue): StackError {
  const path = [...e.path, ...base, ...i.path];
  return new StackError(i.code, locate(e.file, path, i.at ?? "value"), `${dotted(path)}: ${i.message}`);
}

/** An artifact directory must be a plain relative path: it is joined under the provisioning root. */
function outputProblem(out: unknown): string | undefined {
  if (typeof out !== "string" || !out) return "expected a relative path inside the provisioning root";
  if (out.startsWith("/") || out.includes("\\") || out.includes("\0")) return `${JSON.stringify(out)} is not a plain relative path inside the provisioning root`;
  if (out.split("/").some((s) => s === ".." || s === "." || s === "")) return `${JSON.stringify(out)} would leave the provisioning root (no '.', '..' or empty segments)`;
  return undefined;
}

function originOf(e: RawEntry, layer: string, sub: (string | number)[]): Origin {
  return { layer, position: lazyPosition(e.file, [...e.path, ...sub], "key"), at: (p) => locate(e.file, [...e.path, ...sub, ...p], "key") };
}

function resolveSystemsOfCm(raw: RawStack, errors: StackError[]): Record<string, CmSystem> {
  const out: Record<string, CmSystem> = {};
  const outputs = new Map<string, string>();
  for (const e of raw.kinds.cm.values()) {
    const { type, output, ...settings } = e.value as Plain & { type: CmType; output?: string };
    const adapter = ADAPTERS[type];
    const allowed = ["type", "output", ...adapter.settingKeys];
    for (const k of Object.keys(e.value)) {
      if (!allowed.includes(k)) errors.push(issueError(e, [], { path: [k], at: "key", code: "cm.unknown-setting", message: `"${k}" is not a setting of ${type} CM systems (expected one of: ${allowed.join(", ")})` }));
    }
    for (const i of adapter.checkSettings(settings)) errors.push(issueError(e, [], i));
    const dir = output ?? `cm/${e.name}`;
    const bad = outputProblem(dir);
    if (bad) errors.push(issueError(e, [], { path: ["output"], code: "cm.output-escape", message: bad }));
    else if (outputs.has(dir)) errors.push(issueError(e, [], { path: ["output"], code: "cm.output-shared", message: `${dir} is already the output of CM system ${outputs.get(dir)}; each CM system needs its own` }));
    else outputs.set(dir, e.name);
    out[e.name] = { name: e.name, type, settings, output: dir, members: {}, source: lazyPosition(e.file, e.path, "key") };
  }
  return out;
}

/** Checks one profile's or system's own `manage:` map: each key a declared CM system, each binding in its type's format. */
function checkManage(e: RawEntry, cm: Record<string, CmSystem>, errors: StackError[]): void {
  const manage = e.value.manage;
  if (manage === undefined) return;
  for (const [name, binding] of Object.entries(manage as Plain)) {
    const sys = cm[name];
    if (!sys) {
      const known = Object.keys(cm).join(", ") || "none declared";
      errors.push(issueError(e, ["manage"], { path: [name], at: "key", code: "cm.unknown-system", message: `no CM system named ${JSON.stringify(name)} under cm: (CM systems: ${known})` }));
      continue;
    }
    if (binding !== null && !isPlainObject(binding)) {
      errors.push(issueError(e, ["manage"], { path: [name], code: "cm.wrong-type", message: `expected a ${sys.type} binding (a map with ${ADAPTERS[sys.type].bindingKeys.join(", ")})` }));
      continue;
    }
    for (const i of ADAPTERS[sys.type].checkBinding((binding ?? {}) as Plain)) errors.push(issueError(e, ["manage", name], i));
  }
}

/** Resolves CM systems and, for every system, its merged binding to each CM system its chain names. */
export function resolveCm(raw: RawStack, profiles: Record<string, Profile>, systems: Record<string, System>): CmResolution {
  const errors: StackError[] = [];
  const cm = resolveSystemsOfCm(raw, errors);
  for (const e of raw.kinds.profiles.values()) checkManage(e, cm, errors);
  for (const e of raw.kinds.systems.values()) checkManage(e, cm, errors);
  if (errors.length) return { cm, errors };

  const cmRaw = raw.kinds.cm;
  // Systems that add nothing of their own to a binding share their profile's merge: a fleet has
  // thousands of systems and a handful of profiles.
  const shared = new Map<string, CmSystem["members"][string]>();
  // The CM systems each profile's chain binds, worked out once per profile.
  const boundByProfile = new Map<string, string[]>();
  const lineageOf = (sys: System): string[] => profiles[sys.profile]?.lineage ?? [];
  for (const sys of Object.values(systems)) {
    const entry = raw.kinds.systems.get(sys.name)!;
    const own = (entry.value.manage ?? {}) as Plain;
    let byProfile = boundByProfile.get(sys.profile);
    if (!byProfile) boundByProfile.set(sys.profile, (byProfile = [...new Set(lineageOf(sys).flatMap((n) => Object.keys((raw.kinds.profiles.get(n)!.value.manage ?? {}) as Plain)))]));
    const ownNames = Object.keys(own);
    const bound = ownNames.length ? [...new Set([...byProfile, ...ownNames])] : byProfile;
    let chain: { e: RawEntry; layer: string }[] | undefined;
    for (const name of bound) {
      const c = cm[name];
      const key = `${sys.profile}\0${name}`;
      const reuse = own[name] === undefined ? shared.get(key) : undefined;
      if (reuse) {
        c.members[sys.name] = reuse;
        continue;
      }
      chain ??= [...lineageOf(sys).map((n) => ({ e: raw.kinds.profiles.get(n)!, layer: `profile ${n}` })), { e: entry, layer: `system ${sys.name}` }];
      const adapter = ADAPTERS[c.type];
      const values = [adapter.defaults(c)], layers = [`cm ${name}`], declaring: RawEntry[] = [];
      for (const { e, layer } of chain) {
        const b = (e.value.manage as Plain | undefined)?.[name];
        if (!b) continue;
        values.push(adapter.normalize(b as Plain));
        layers.push(layer);
        declaring.push(e);
      }
      c.members[sys.name] = mergedBinding(values, layers, () => [
        originOf(cmRaw.get(name)!, layers[0], []), ...declaring.map((e, i) => originOf(e, layers[i + 1], ["manage", name])),
      ]);
      if (own[name] === undefined) shared.set(key, c.members[sys.name]);
    }
  }
  return { cm, errors };
}
