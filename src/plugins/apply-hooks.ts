/**
 * Apply-time hooks (beforeProvision, afterProvision, onFailure) run in the bootplan process around the
 * provider call that writes a system's files. They wrap `providerFor`, the seam every executor of
 * providers goes through, so the providers themselves stay Pulumi dynamic providers with no plugin
 * code to serialize, and the hooks run the same whichever executor runs the providers.
 *
 * The plan carries which hooks run for which system (`ApplyHookPlan`), so a saved plan applies with
 * exactly the plugins it was made with (the fingerprint already guarantees their code is unchanged).
 * Outcomes are recorded in the system's state (`pluginHooks`, bookkeeping that never causes a diff)
 * and reported as events; a failed hook fails that system's operation, which is then not recorded,
 * so the next plan shows it again and the next apply redoes it.
 */
import { join } from "node:path";
import type { BootplanProvider } from "../providers/types.js";
import type { ApplyContext, ApplyHookName, PluginDefinition, ProvisionAction } from "./api.js";
import { PluginHookError } from "./errors.js";
import { APPLY_HOOKS, definitionOf, type LoadedPlugin } from "./load.js";

/** How long an apply-time hook may run when its plugin sets no timeout. */
export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;

/** Which apply-time hooks run for which system: part of the plan (and of a saved plan). */
export interface ApplyHookPlan {
  stack: string;
  /** Plugins with apply-time hooks: module relative to the stack, options as validated at plan time. */
  plugins: Record<string, { rel: string; version: string; options: Record<string, unknown> }>;
  /** By system address: the planned action and the plugins that run around it, in order. */
  targets: Record<string, { action: ProvisionAction; plugins: string[] }>;
}

/** One hook run as recorded in state and reported: `ok` (with what the hook returned), `failed` or `timeout`. */
export interface HookRun {
  plugin: string;
  version: string;
  hook: ApplyHookName;
  outcome: "ok" | "failed" | "timeout";
  detail?: string;
}

/** A hook run for the apply output (timings are shown, never recorded: state stays reproducible). */
export interface HookEvent extends HookRun {
  address: string;
  ms: number;
}

const hasApplyHooks = (d: PluginDefinition): boolean => APPLY_HOOKS.some((h) => typeof d[h] === "function");

/** The apply-time hooks of a plan's system changes; undefined when none run. */
export function planApplyHooks(
  stack: { name: string },
  plugins: LoadedPlugin[],
  changes: { address: string; kind: string; action: ProvisionAction | "delete" }[],
  selecting: (system: string) => LoadedPlugin[],
): ApplyHookPlan | undefined {
  const withHooks = new Set(plugins.filter((p) => hasApplyHooks(p.definition)).map((p) => p.name));
  if (!withHooks.size) return undefined;
  const out: ApplyHookPlan = { stack: stack.name, plugins: {}, targets: {} };
  for (const c of changes) {
    if (c.kind !== "system" || c.action === "delete") continue;
    const chosen = selecting(c.address.slice("system.".length)).filter((p) => withHooks.has(p.name));
    if (!chosen.length) continue;
    out.targets[c.address] = { action: c.action, plugins: chosen.map((p) => p.name) };
    for (const p of chosen) out.plugins[p.name] = { rel: p.rel, version: p.version, options: p.options };
  }
  return Object.keys(out.targets).length ? out : undefined;
}

/** A plan change as far as apply hooks look at it (engine/types.ts's PlannedChange). */
interface Change {
  address: string;
  kind: string;
  action: ProvisionAction | "delete";
  notes?: string[];
  /** Set on a change that a spread would break (a planned create works its fields out when read). */
  withNotes?(notes: string[]): Change;
}

/**
 * The plan with the apply-time hooks its system changes run: `applyHooks` for apply, and a note on each
 * such change (`by plugin notify: runs afterProvision at apply`), so the reviewer sees every plugin
 * that applies, not only those that change rendered output.
 */
export function withApplyHooks<P extends { changes: Change[] }>(
  plan: P,
  stack: { name: string },
  plugins: LoadedPlugin[],
  selecting: (system: string) => LoadedPlugin[],
): P & { applyHooks?: ApplyHookPlan } {
  const hooks = planApplyHooks(stack, plugins, plan.changes, selecting);
  if (!hooks) return plan;
  const byName = new Map(plugins.map((p) => [p.name, p]));
  const changes = plan.changes.map((c): P["changes"][number] => {
    const t = hooks.targets[c.address];
    if (!t) return c;
    const notes = t.plugins.map((n) => `by plugin ${n}: runs ${APPLY_HOOKS.filter((h) => typeof byName.get(n)!.definition[h] === "function").join(", ")} at apply`);
    return c.withNotes ? c.withNotes(notes) : { ...c, notes: [...(c.notes ?? []), ...notes] };
  });
  return { ...plan, changes, applyHooks: hooks };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split("\n")[0] : String(err);
}

/** Runs the hooks of an ApplyHookPlan around system operations. */
export class ApplyHookRunner {
  /** The environment hooks see, as a plain object; each run gets its own copy of it. */
  private readonly envCopy: Record<string, string | undefined>;

  private constructor(
    private readonly plan: ApplyHookPlan,
    private readonly defs: Map<string, PluginDefinition>,
    env: Record<string, string | undefined>,
    private readonly onEvent?: (e: HookEvent) => void,
  ) {
    // Copied once: spreading process.env itself for every hook run costs ~70 us (10,000 systems: 0.7 s).
    this.envCopy = { ...env };
  }

  /**
   * Loads the plan's plugin modules from `stackDir`, compiled code kept in `cache` (the plugin cache
   * folder, or false), or takes them from `loaded` when the stack was just loaded.
   */
  static async create(plan: ApplyHookPlan, opts: { stackDir: string; cache: string | false; env: Record<string, string | undefined>; loaded?: LoadedPlugin[]; onEvent?: (e: HookEvent) => void }): Promise<ApplyHookRunner> {
    const defs = new Map<string, PluginDefinition>();
    for (const [name, p] of Object.entries(plan.plugins)) {
      const have = opts.loaded?.find((l) => l.name === name && l.rel === p.rel);
      defs.set(name, have ? have.definition : ((await definitionOf({ name, rel: p.rel, file: join(opts.stackDir, p.rel) }, opts.cache)) as unknown as PluginDefinition));
    }
    return new ApplyHookRunner(plan, defs, opts.env, opts.onEvent);
  }

  /** `providerFor` with system creates and updates wrapped in the hooks the plan names. */
  wrap(providerFor: (kind: string, address?: string) => BootplanProvider): (kind: string, address?: string) => BootplanProvider {
    return (kind, address) => {
      const inner = providerFor(kind, address);
      if (kind !== "system") return inner;
      return {
        ...inner,
        create: (inputs) => this.around(inputs, () => inner.create(inputs)),
        update: (id, olds, news) => this.around(news, () => inner.update(id, olds, news)),
      };
    };
  }

  private async around<R extends { outs?: Record<string, unknown> }>(inputs: Record<string, unknown>, op: () => Promise<R>): Promise<R> {
    const address = `system.${String(inputs.name)}`;
    const target = this.plan.targets[address];
    if (!target) return op();
    const system = {
      name: String(inputs.name), hostname: String(inputs.hostname), profile: String(inputs.profile), distro: String(inputs.distro),
      attributes: structuredClone((inputs.attributes ?? {}) as Record<string, unknown>), interfaces: structuredClone((inputs.interfaces ?? []) as unknown[]),
    };
    const runs: HookRun[] = [];
    const each = async (hook: ApplyHookName, extra: Record<string, unknown> = {}): Promise<void> => {
      for (const name of target.plugins) {
        const def = this.defs.get(name)!;
        if (typeof def[hook] !== "function") continue;
        const ctx = { stack: this.plan.stack, address, action: target.action, system: structuredClone(system), options: structuredClone(this.plan.plugins[name].options), env: { ...this.envCopy }, ...extra };
        if (hook !== "onFailure") runs.push(await this.run(name, def, hook, address, ctx));
        else await this.run(name, def, hook, address, ctx).catch(() => undefined);
      }
    };
    try {
      await each("beforeProvision");
      const r = await op();
      await each("afterProvision");
      return { ...r, outs: { ...(r.outs ?? inputs), pluginHooks: runs } };
    } catch (err) {
      // onFailure hooks are told what failed; their own failures are reported, never raised over the cause.
      await each("onFailure", { error: message(err) });
      throw err;
    }
  }

  /** Runs one hook within its timeout; throws a PluginHookError after reporting a failure. */
  private async run(name: string, def: PluginDefinition, hook: ApplyHookName, address: string, ctx: Omit<ApplyContext, "signal">): Promise<HookRun> {
    const ms = def.timeouts?.[hook] ?? DEFAULT_HOOK_TIMEOUT_MS;
    const version = this.plan.plugins[name].version;
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    const done = (outcome: HookRun["outcome"], detail?: string): HookRun => {
      const r: HookRun = { plugin: name, version, hook, outcome, ...(detail ? { detail } : {}) };
      this.onEvent?.({ address, ...r, ms: Math.round(performance.now() - t0) });
      return r;
    };
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => (def[hook] as (c: ApplyContext) => unknown)({ ...ctx, signal: ac.signal } as ApplyContext)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            ac.abort(new Error(`timed out after ${ms} ms`));
            reject(new PluginHookError(name, hook, address, `timed out after ${ms} ms`, "plugin.hook-timeout"));
          }, ms);
        }),
      ]);
      return done("ok", typeof result === "string" ? result.split("\n")[0] : undefined);
    } catch (err) {
      const timedOut = err instanceof PluginHookError && err.code === "plugin.hook-timeout";
      done(timedOut ? "timeout" : "failed", timedOut ? err.reason : message(err));
      if (hook === "onFailure") throw err;
      throw timedOut ? err : new PluginHookError(name, hook, address, message(err));
    } finally {
      clearTimeout(timer);
    }
  }
}
