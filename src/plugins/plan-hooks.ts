/**
 * Plan-time hooks: run while the desired resources are built, so the plan shows what they change.
 * Each hook gets a copy of its context, must return synchronously, and its result is checked before
 * use; a failure names the plugin, the hook and the target and fails the plan before anything is
 * written. What each plugin changed becomes a `by plugin NAME: ...` note on the resource.
 */
import { diffLines } from "diff";
import { ADAPTERS } from "../cm/adapters.js";
import { handoffAddress } from "../cm/identity.js";
import type { CmSystem } from "../cm/types.js";
import { targetAttributes } from "../compat/attributes.js";
import type { Distro, Profile, Stack, System } from "../model/stack.js";
import { answerFilePath, nocloudDir } from "../render/paths.js";
import { jsonEqual } from "../util/equal.js";
import { sha256 } from "../util/hash.js";
import { cloneData, isPlainObject } from "../util/merge.js";
import type { PlanContext, PlanHookName } from "./api.js";
import { PluginHookError } from "./errors.js";
import type { LoadedPlugin } from "./load.js";
import { selects } from "./selector.js";

const KERNEL_ARG = /^[^\s"';`$\\]+$/;

/** A path a plugin may add: plain, relative, inside the provisioning root. */
function pathProblem(path: string): string | undefined {
  if (!path || path.startsWith("/") || path.includes("\\") || path.includes("\0") || /^[A-Za-z]:/.test(path)) return "is not a plain relative path inside the provisioning root";
  if (path.split("/").some((s) => s === "" || s === "." || s === "..")) return "would leave the provisioning root (no '.', '..' or empty segments)";
  return undefined;
}

/** A binding after plugins' cm hooks, and the notes saying what each plugin changed. */
export interface ShapedBinding {
  value: Record<string, unknown>;
  notes: string[];
}

/** Plugins' cm hooks over one system's binding to one CM system; undefined when none changed it. */
export type CmShaper = (cm: CmSystem, system: string, binding: Record<string, unknown>) => ShapedBinding | undefined;

/** What the graph builds, as far as plugins look at it (graph/resource.ts's DesiredResource). */
interface Built {
  address: string;
  inputs: Record<string, unknown>;
  notes?: string[];
}

/** A system's attribute values (declared and derived), as plugins see them. */
function attributeValues(sys: System, distro: Distro): Record<string, unknown> {
  return Object.fromEntries(Object.entries(targetAttributes(sys, distro)).map(([k, a]) => [k, a.value]));
}

/**
 * The plan-time context of a system: plain data built afresh on every call, so each hook gets its own
 * copy (`attributes`, when given, must be one too).
 */
export function planContext(stackName: string, sys: System, profile: Profile, distro: Distro, options: Record<string, unknown>, attributes = attributeValues(sys, distro)): PlanContext {
  return {
    stack: stackName,
    system: {
      name: sys.name, hostname: sys.hostname, attributes, netboot: sys.netboot, kernelArgs: [...sys.kernelArgs],
      interfaces: sys.interfaces.map((i) => ({ name: i.name ?? null, mac: i.mac, ip: i.ip ?? null, prefix: i.prefix ?? null, gateway: i.gateway ?? null, dns: [...i.dns] })),
    },
    profile: { name: profile.name, lineage: [...profile.lineage], packages: [...profile.packages], kernelArgs: [...profile.kernelArgs], answerFormat: profile.answerFile.format },
    distro: { name: distro.name, family: distro.os.family, release: distro.os.release, arch: distro.arch },
    options,
  };
}

/** Calls one plan-time hook; a throw or a promise becomes a PluginHookError naming plugin, hook and target. */
function call<T>(p: LoadedPlugin, hook: PlanHookName, target: string, fn: () => T): T {
  let r: T;
  try {
    r = fn();
  } catch (err) {
    throw new PluginHookError(p.name, hook, target, `${err instanceof Error ? err.message.split("\n")[0] : String(err)} (${p.rel})`);
  }
  if (r && typeof (r as { then?: unknown }).then === "function") {
    throw new PluginHookError(p.name, hook, target, `returned a Promise; plan-time hooks run while the plan is built and must return synchronously (${p.rel})`);
  }
  return r;
}

function bad(p: LoadedPlugin, hook: PlanHookName, target: string, what: string): PluginHookError {
  return new PluginHookError(p.name, hook, target, `${what} (${p.rel})`, "plugin.bad-result");
}

/** Where a plugin's answer-file change is, for its note: `lines 12-20 (+9 -1)`. */
function changeSummary(before: string, after: string): string {
  let line = 1, first = 0, last = 0, added = 0, removed = 0;
  for (const part of diffLines(before, after)) {
    const n = part.count ?? 0;
    if (part.added) {
      if (!first) first = line;
      last = line + n - 1;
      added += n;
      line += n;
    } else if (part.removed) {
      removed += n;
      if (!first) first = line;
      last = Math.max(last, line);
    } else line += n;
  }
  const where = first === last ? `line ${first}` : `lines ${first}-${last}`;
  return `${where} (+${added} -${removed})`;
}

/**
 * The plugins shaping one system, and what they did to it. Hooks run only when the system is rendered:
 * a system whose render key (plugins' code and options included) is unchanged reuses its recorded
 * files and the notes recorded with them.
 */
export class SystemPlugins {
  /** `by plugin NAME: ...` lines for the plan. */
  notes: string[] = [];
  private shaped?: System;
  private attributes?: Record<string, unknown>;

  constructor(
    private readonly set: PluginSet,
    readonly plugins: LoadedPlugin[],
    private readonly sys: System,
    readonly profile: Profile,
    readonly distro: Distro,
  ) {}

  /** The system with plugins' kernel arguments after its own (runs the kernelArgs hooks once). */
  get system(): System {
    return (this.shaped ??= this.withKernelArgs());
  }

  /** Takes the notes recorded with reused files (see `recorded`). */
  reuse(outputs: Record<string, unknown>): void {
    this.notes = Array.isArray(outputs.pluginNotes) ? (outputs.pluginNotes as string[]) : [];
  }

  /** Bookkeeping recorded with the system's files, so a reused rendering keeps its notes. */
  recorded(): { pluginNotes: string[] } {
    return { pluginNotes: this.notes };
  }

  private withKernelArgs(): System {
    const sys = this.sys;
    const target = `system.${sys.name}`;
    const extra: string[] = [];
    for (const p of this.plugins) {
      if (!p.definition.kernelArgs) continue;
      const args = call(p, "kernelArgs", target, () => p.definition.kernelArgs!(this.context(p)));
      if (!Array.isArray(args)) throw bad(p, "kernelArgs", target, `returned ${typeof args}; expected a list of kernel arguments`);
      const wrong = args.find((a) => typeof a !== "string" || !KERNEL_ARG.test(a));
      if (wrong !== undefined) throw bad(p, "kernelArgs", target, `returned ${JSON.stringify(wrong)}; a kernel argument is one word without whitespace, quotes, ';', '$', '\`' or '\\\\'`);
      if (args.length) {
        extra.push(...args);
        this.notes.push(`by plugin ${p.name}: kernel arguments + ${args.join(" ")}${sys.netboot ? "" : " (unused while netboot is off)"}`);
      }
    }
    return extra.length ? { ...sys, kernelArgs: [...sys.kernelArgs, ...extra] } : sys;
  }

  private context(p: LoadedPlugin): PlanContext {
    // Attributes are worked out once per system; everything else is cheaper to build again than to copy.
    this.attributes ??= attributeValues(this.sys, this.distro);
    return planContext(this.set.stackName, this.sys, this.profile, this.distro, cloneData(p.options), cloneData(this.attributes));
  }

  /** The render-reuse key of the system with its plugins: code, names and options count. */
  key(base: string): string {
    return sha256(base + this.plugins[0].codeHash + JSON.stringify(this.plugins.map((p) => [p.name, p.options])), "base64url");
  }

  /** Runs answerFile and files hooks over the rendered files (path -> content); returns the new map. */
  shapeFiles(rendered: Record<string, string>): Record<string, string> {
    const name = this.system.name;
    const target = `system.${name}`;
    const files: Record<string, string> = Object.assign(Object.create(null), rendered);
    const answer = this.profile.answerFile.format === "autoinstall" ? `${nocloudDir(name)}user-data` : answerFilePath(name);
    for (const p of this.plugins) {
      if (!p.definition.answerFile || files[answer] === undefined) continue;
      const before = files[answer];
      const after = call(p, "answerFile", target, () => p.definition.answerFile!(this.context(p), before));
      if (typeof after !== "string") throw bad(p, "answerFile", target, `returned ${typeof after}; expected the answer file's text`);
      if (after !== before) {
        files[answer] = after;
        this.notes.push(`by plugin ${p.name}: ${answer} ${changeSummary(before, after)}`);
      }
    }
    for (const p of this.plugins) {
      if (!p.definition.files) continue;
      const extra = call(p, "files", target, () => p.definition.files!(this.context(p)));
      if (!isPlainObject(extra)) throw bad(p, "files", target, `returned ${Array.isArray(extra) ? "a list" : typeof extra}; expected a map of path -> content`);
      for (const [path, content] of Object.entries(extra)) {
        const problem = pathProblem(path);
        if (problem) throw bad(p, "files", target, `path ${JSON.stringify(path)} ${problem}`);
        if (typeof content !== "string") throw bad(p, "files", target, `${path}: expected text content, found ${typeof content}`);
        if (files[path] !== undefined) throw bad(p, "files", target, `${path} is already a file of ${target}; a plugin adds files, it does not replace them (use answerFile for the answer file)`);
        const owner = this.set.claim(path, target, p.name);
        if (owner !== target) throw bad(p, "files", target, `${path} is already written for ${owner}; each system's extra files need their own paths`);
        files[path] = content;
        this.notes.push(`by plugin ${p.name}: + ${path} (${content.split("\n").length - (content.endsWith("\n") ? 1 : 0)} lines)`);
      }
    }
    return files;
  }

  /** Runs cm hooks over one CM binding; undefined when no plugin changed it. */
  shapeBinding(cm: CmSystem, binding: Record<string, unknown>): ShapedBinding | undefined {
    // The handoff is named by the system alone: no need to run its kernelArgs hooks here.
    const target = handoffAddress(cm.name, this.sys.name);
    let value = binding;
    const notes: string[] = [];
    for (const p of this.plugins) {
      if (!p.definition.cm) continue;
      const before = value;
      const after = call(p, "cm", target, () => p.definition.cm!({ ...this.context(p), cm: { name: cm.name, type: cm.type } }, cloneData(before)));
      if (!isPlainObject(after)) throw bad(p, "cm", target, `returned ${Array.isArray(after) ? "a list" : typeof after}; expected the ${cm.type} binding (a map)`);
      const issue = ADAPTERS[cm.type].checkBinding(after as Record<string, unknown>)[0];
      if (issue) throw bad(p, "cm", target, `returned an invalid ${cm.type} binding: ${issue.path.join(".")}: ${issue.message}`);
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !jsonEqual(before[k], (after as Record<string, unknown>)[k]));
      if (changed.length) notes.push(`by plugin ${p.name}: ${changed.join(", ")}`);
      value = after as Record<string, unknown>;
    }
    return notes.length ? { value, notes } : undefined;
  }
}

/** A stack's loaded plugins, as the graph uses them. */
export class PluginSet {
  /** Extra files plugins added: path -> the system and plugin. */
  private readonly claimed = new Map<string, { target: string; plugin: string }>();
  private readonly shaping: LoadedPlugin[];

  constructor(
    readonly plugins: LoadedPlugin[],
    readonly stackName: string,
  ) {
    this.shaping = plugins.filter((p) => p.definition.kernelArgs || p.definition.answerFile || p.definition.files || p.definition.cm);
  }

  /** Records that `plugin` adds `path` to `target`; returns the target that owns it (another one on a collision). */
  claim(path: string, target: string, plugin: string): string {
    const owner = this.claimed.get(path);
    if (owner) return owner.target;
    this.claimed.set(path, { target, plugin });
    return target;
  }

  /** Fails when a file a plugin added is also a file of another resource (a boot config, a CM artifact). */
  checkClaims(resources: Built[]): void {
    if (!this.claimed.size) return;
    for (const r of resources) {
      // A reused rendering carries its files' digests alone: their paths are the same.
      const files = (r.inputs.files ?? r.inputs.fileDigests) as Record<string, string> | undefined;
      for (const path in files ?? {}) {
        const c = this.claimed.get(path);
        if (c && c.target !== r.address) throw new PluginHookError(c.plugin, "files", c.target, `${path} is already a file of ${r.address}; a plugin adds files, it does not replace them`, "plugin.bad-result");
      }
    }
  }

  /** Every loaded plugin that selects the system (whatever its hooks). */
  selecting(sys: System, profile: Profile, distro: Distro): LoadedPlugin[] {
    return this.plugins.filter((p) => selects(p.selector, sys, profile, distro));
  }

  /** The plan-time shaping of one system; undefined when no plugin with plan-time hooks selects it. */
  forSystem(sys: System, profile: Profile, distro: Distro): SystemPlugins | undefined {
    if (!this.shaping.length) return undefined;
    const chosen = this.shaping.filter((p) => selects(p.selector, sys, profile, distro));
    return chosen.length ? new SystemPlugins(this, chosen, sys, profile, distro) : undefined;
  }

  /**
   * The plugins' cm hooks over the bindings of `stack`'s systems (graph/cm.ts calls it for each handoff it
   * renders); undefined when no plugin has a cm hook.
   */
  cmShaper(stack: Stack): CmShaper | undefined {
    if (!this.shaping.some((p) => p.definition.cm)) return undefined;
    // One selection (and one plan context) per system, however many CM systems it is handed to.
    const bySystem = new Map<string, SystemPlugins | undefined>();
    return (cm, sysName, binding) => {
      let hooks = bySystem.get(sysName);
      if (!bySystem.has(sysName)) {
        const sys = stack.systems[sysName];
        const profile = stack.profiles[sys.profile];
        bySystem.set(sysName, (hooks = this.forSystemCm(sys, profile, stack.distros[profile.distro])));
      }
      return hooks?.shapeBinding(cm, binding);
    };
  }

  private forSystemCm(sys: System, profile: Profile, distro: Distro): SystemPlugins | undefined {
    const chosen = this.shaping.filter((p) => p.definition.cm && selects(p.selector, sys, profile, distro));
    return chosen.length ? new SystemPlugins(this, chosen, sys, profile, distro) : undefined;
  }
}

/** The loaded plugins that select a system of the stack (none for an unknown name). */
export function pluginsSelecting(stack: Stack, plugins: LoadedPlugin[], systemName: string): LoadedPlugin[] {
  const sys = stack.systems[systemName];
  if (!sys) return [];
  const profile = stack.profiles[sys.profile];
  return plugins.filter((p) => selects(p.selector, sys, profile, stack.distros[profile.distro]));
}
