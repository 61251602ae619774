/** applyPlan: carries out a plan through the providers, in dependency order, recording each completed operation. */
import { describeError, ResourceError } from "../errors.js";
import { REPLACING_INPUT, RUNTIME_INPUT, SECRET_INPUT, withoutTransient, type BootplanProvider, type ProviderRuntime } from "../providers/types.js";
import type { StateWriter } from "../state/types.js";
import type { ExecutablePlan, PlannedChange } from "./types.js";

/** Progress of one resource, for the live display or the line-per-event log. */
export type ApplyEvent =
  | { type: "start"; address: string; action: PlannedChange["action"] }
  | { type: "done"; address: string; action: PlannedChange["action"]; ms: number }
  | { type: "failed"; address: string; action: PlannedChange["action"]; ms: number; error: string };

export interface ApplyOptions {
  /** The provider of a kind, as the executor runs it; `address` names the resource in its errors. */
  providerFor: (kind: string, address?: string) => BootplanProvider;
  /** Most operations in flight at once. */
  parallelism: number;
  /** Secret values by name, for the resources that write them. */
  secrets: Record<string, string>;
  /** Handed to every provider call under RUNTIME_INPUT (never recorded): where relative paths resolve. */
  runtime?: ProviderRuntime;
  onEvent?: (e: ApplyEvent) => void;
  /** Checked between operations; when it returns true no new operation starts (Ctrl-C). */
  cancelled?: () => boolean;
}

export interface ApplyResult {
  done: number;
  failed: { address: string; error: string }[];
  /** Operations never started because of a failure or cancellation. */
  skipped: string[];
}

/**
 * The operations a change must wait for. Creates and updates wait for the resources they depend on;
 * deletes wait for every planned change of the resources that depended on them when recorded, so a
 * profile is not forgotten before the systems that used it have moved off it.
 */
function waitGraph(plan: ExecutablePlan, recordedDeps: (a: string) => string[]): Map<string, string[]> {
  const planned = new Set(plan.changes.map((c) => c.address));
  const dependents = new Map<string, string[]>();
  for (const c of plan.changes) {
    for (const d of c.action === "delete" ? recordedDeps(c.address) : c.dependsOn) {
      if (!dependents.has(d)) dependents.set(d, []);
      dependents.get(d)!.push(c.address);
    }
  }
  const waits = new Map<string, string[]>();
  for (const c of plan.changes) {
    const w = c.action === "delete" ? dependents.get(c.address) ?? [] : c.dependsOn;
    waits.set(c.address, w.filter((a) => planned.has(a) && a !== c.address));
  }
  return waits;
}

/**
 * Carries out one change and records it. `providerDone` is called once the provider's part is over:
 * the operation's slot under --parallelism frees then, while its record is committed (on PostgreSQL a
 * round trip and a WAL flush, shared with the other operations completing meanwhile).
 */
async function runOne(c: PlannedChange, plan: ExecutablePlan, writer: StateWriter, opts: ApplyOptions, providerDone: () => void): Promise<void> {
  const provider = opts.providerFor(c.kind, c.address);
  const rec = writer.current().resources[c.address];
  await writer.begin(c.address, c.action);
  const news = plan.inputs[c.address];
  const secretValues = Object.fromEntries((plan.secretNames[c.address] ?? []).map((n) => [n, opts.secrets[n]]));
  const runtime = opts.runtime ? { [RUNTIME_INPUT]: opts.runtime } : {};
  const withSecrets = news && { ...news, ...runtime, ...(Object.keys(secretValues).length ? { [SECRET_INPUT]: secretValues } : {}) };
  const olds = rec && { ...rec.outputs, ...runtime };
  // Whatever a provider returns, only durable keys are recorded (never secrets or the runtime paths).
  const outs = (r: { outs?: Record<string, unknown> }): Record<string, unknown> => withoutTransient(r.outs ?? news);
  const declared = c.declaredIn ? { declaredIn: c.declaredIn } : {};
  switch (c.action) {
    case "create": {
      const r = await provider.create(withSecrets);
      providerDone();
      await writer.record(c.address, { kind: c.kind, id: r.id, outputs: outs(r), dependsOn: c.dependsOn, ...declared });
      break;
    }
    case "update": {
      const r = await provider.update(rec.id, olds, withSecrets);
      providerDone();
      await writer.record(c.address, { kind: c.kind, id: rec.id, outputs: outs(r), dependsOn: c.dependsOn, ...declared });
      break;
    }
    case "replace": {
      // Every bootplan replace deletes first: the new resource writes to the same paths.
      await provider.delete(rec.id, olds);
      const r = await provider.create({ ...withSecrets, [REPLACING_INPUT]: true });
      providerDone();
      await writer.record(c.address, { kind: c.kind, id: r.id, outputs: outs(r), dependsOn: c.dependsOn, ...declared });
      break;
    }
    case "delete":
      await provider.delete(rec.id, olds);
      providerDone();
      await writer.remove(c.address);
      break;
  }
}

/**
 * Drops every change's diffs and notes: they were for the reader of the plan, who has seen it. At
 * 10,000 systems they were about a sixth of a first apply's live data (a heap snapshot). The notes are
 * set to undefined, not deleted: a deleted property turns each change into a dictionary of its own,
 * 430 bytes more apiece (12 MB of 28,000 creates, held to the end of the apply).
 */
function forgetDiffs(plan: ExecutablePlan): void {
  for (const c of plan.changes) {
    c.files = [];
    c.fields = [];
    if (c.notes) c.notes = undefined;
  }
}

/**
 * Most operations started and not yet recorded (or --parallelism, if more): enough to fill a database
 * writer's group commits while their records wait for the disk, few enough that the list of pending
 * operations each record is taken off stays short.
 */
const MAX_UNSETTLED = 256;

/**
 * Applies every change of the plan, which it consumes: its diffs are dropped at once, and a finished
 * operation's inputs (the rendered text of its files) as it finishes, so a first apply does not hold
 * the whole fleet's text and its growing state together. A failed operation skips what depends on it
 * (transitively); independent work goes on, so one unreachable machine does not hold up the rest.
 */
export async function applyPlan(plan: ExecutablePlan, writer: StateWriter, opts: ApplyOptions): Promise<ApplyResult> {
  forgetDiffs(plan);
  const waits = waitGraph(plan, (a) => writer.current().resources[a]?.dependsOn ?? []);
  const byAddress = new Map(plan.changes.map((c) => [c.address, c]));
  // Kahn's algorithm: count what each operation still waits for, release dependents as operations finish.
  const remaining = new Map<string, number>();
  const released = new Map<string, string[]>();
  for (const [a, w] of waits) {
    remaining.set(a, w.length);
    for (const dep of w) (released.get(dep) ?? released.set(dep, []).get(dep)!).push(a);
  }
  // Read from `head` on: shift() on an array of 280,000 addresses moves them all each time (quadratic).
  const queue = [...waits.keys()].filter((a) => remaining.get(a) === 0);
  let head = 0;
  const notStarted = new Set(byAddress.keys());
  // Operations started and not yet recorded (or failed); `busy` of them are still in their provider.
  let unsettled = 0;
  let busy = 0;
  // Woken whenever a slot frees or an operation settles (a race over thousands of promises would not scale).
  let wake: () => void = () => undefined;
  const result: ApplyResult = { done: 0, failed: [], skipped: [] };
  const parallelism = Math.max(1, opts.parallelism);
  const backlog = Math.max(MAX_UNSETTLED, parallelism);

  const start = (address: string): void => {
    notStarted.delete(address);
    unsettled++;
    busy++;
    let freed = false;
    const free = (): void => {
      if (freed) return;
      freed = true;
      busy--;
      wake();
    };
    const c = byAddress.get(address)!;
    const t0 = performance.now();
    opts.onEvent?.({ type: "start", address, action: c.action });
    void runOne(c, plan, writer, opts, free).then(
      () => {
        result.done++;
        delete plan.inputs[address];
        opts.onEvent?.({ type: "done", address, action: c.action, ms: performance.now() - t0 });
        for (const next of released.get(address) ?? []) {
          const left = remaining.get(next)! - 1;
          remaining.set(next, left);
          if (left === 0) queue.push(next);
        }
      },
      (err: unknown) => {
        // The failure is reported under its address; an error that already names it is not named twice.
        const error = describeError(err).replace(`${address}: `, "");
        result.failed.push({ address, error });
        opts.onEvent?.({ type: "failed", address, action: c.action, ms: performance.now() - t0, error });
        // Whatever waits on a failed operation can never start: it stays in notStarted (skipped).
        const blocked = [...(released.get(address) ?? [])];
        while (blocked.length) {
          const b = blocked.pop()!;
          if (remaining.get(b) === Infinity) continue;
          remaining.set(b, Infinity);
          blocked.push(...(released.get(b) ?? []));
        }
      },
    ).finally(() => {
      free();
      unsettled--;
      wake();
    });
  };

  for (;;) {
    const stop = opts.cancelled?.() === true;
    while (!stop && head < queue.length && busy < parallelism && unsettled < backlog) start(queue[head++]);
    if (unsettled === 0) break; // done, stopped, or nothing runnable
    await new Promise<void>((resolve) => (wake = resolve));
  }
  result.skipped = [...notStarted].sort();
  return result;
}

/** An error summarising a failed apply, naming the first failed resource and its cause. */
export function applyFailure(r: ApplyResult): ResourceError | undefined {
  const f = r.failed[0];
  if (!f) return undefined;
  const more = r.failed.length > 1 ? ` (${r.failed.length - 1} more failed)` : "";
  return new ResourceError(f.address, `${f.error}${more}; ${r.done} operation(s) completed and recorded, ${r.skipped.length} not started`, "apply.failed");
}
