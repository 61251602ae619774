/** computePlan: desired resources vs recorded state, decided by each resource's provider. */
import { IncompatibleTargets } from "../compat/errors.js";
import { BootplanError, describeError, ResourceError, UsageError } from "../errors.js";
import type { DesiredResource } from "../graph/resource.js";
import type { BootplanProvider } from "../providers/types.js";
import { withoutDuplicateHashes } from "../providers/recorded-hashes.js";
import type { ResourceRecord, StateDocument } from "../state/types.js";
import { diffFields, diffFiles } from "./field-diff.js";
import { PlannedCreate } from "./planned-create.js";
import { systemReplace } from "./reinstall.js";
import { DRIFT_REASON, driftFileChanges, refreshOne, type RefreshOptions, type ResourceDrift } from "./refresh.js";
import type { ExecutablePlan, PlannedChange, PlanSummary } from "./types.js";

export interface PlanOptions {
  stack: string;
  fingerprint: string;
  /** Limit the plan to these addresses and what they depend on. */
  targets?: string[];
  /** Plan the removal of everything recorded (bootplan destroy). */
  destroy?: boolean;
  /** The provider of a kind, as the executor runs it; `address` names the resource in its errors. */
  providerFor: (kind: string, address?: string) => BootplanProvider;
  /** Addresses to replace even when unchanged (--replace; for a system: reinstall it). */
  replace?: string[];
  /** Refresh each recorded resource through its provider's read first, and plan the repair of drift. */
  refresh?: Omit<RefreshOptions, "providerFor">;
  /**
   * The rendered files of a resource whose rendering was reused (its inputs hold only digests), for the
   * drift diff of what is on disk against what apply will write.
   */
  renderFiles?: (address: string) => Record<string, string> | undefined;
}

/** Provider calls a plan keeps in flight at once (they only matter when an executor runs them out of process). */
const PLAN_CONCURRENCY = 16;

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A provider failure during planning, named by its resource (bootplan's own errors pass through). */
function namedError(address: string, err: unknown): Error {
  return err instanceof BootplanError ? err : new ResourceError(address, describeError(err));
}

/** The addresses in `targets` plus, transitively, everything they depend on. */
export function withDependencies(targets: string[], deps: (address: string) => string[]): Set<string> {
  const out = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const a = stack.pop()!;
    if (out.has(a)) continue;
    out.add(a);
    for (const d of deps(a)) stack.push(d);
  }
  return out;
}

function replaceReason(kind: string, replaces: string[]): string {
  const what = replaces.join(", ");
  return kind === "system" ? `reinstall: ${what} changed` : `${what} changed`;
}

function declared(file: string | undefined): { declaredIn?: string } {
  return file ? { declaredIn: file } : {};
}

/** The notes a change shows: the resource's own, plus its install notes when it is created or replaced. */
function notesOf(r: DesiredResource, install: boolean, extra: string[] = []): { notes?: string[] } {
  const notes = [...(r.notes ?? []), ...(install ? r.installNotes ?? [] : []), ...extra];
  return notes.length ? { notes } : {};
}

function files(rec: Record<string, unknown> | undefined): Record<string, string> | undefined {
  return rec?.files as Record<string, string> | undefined;
}

function withoutKey(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _drop, ...rest } = o;
  return rest;
}

function digests(rec: Record<string, unknown> | undefined): Record<string, string> | undefined {
  return rec?.fileDigests as Record<string, string> | undefined;
}

/**
 * Computes the plan through the providers: check and diff (which read nothing for bootplan's own
 * kinds) and, with `refresh`, read — each recorded resource read back, and its drift planned as a repair.
 */
export async function computePlan(desiredList: DesiredResource[], state: StateDocument, opts: PlanOptions): Promise<ExecutablePlan> {
  const desired = new Map(desiredList.map((r) => [r.address, r]));
  const recorded = state.resources;
  const targets = opts.targets ?? [];
  for (const t of targets) {
    if (!desired.has(t) && !recorded[t]) {
      throw new UsageError(`--target ${t}: no such resource in the stack or the state (addresses look like system.web01)`);
    }
  }
  for (const a of opts.replace ?? []) {
    if (!desired.has(a)) throw new UsageError(`--replace ${a}: no such resource in the stack (addresses look like system.web01)`);
  }
  const inScope = targets.length
    ? withDependencies(targets, (a) => desired.get(a)?.dependsOn ?? recorded[a]?.dependsOn ?? [])
    : undefined;
  const wanted = (a: string): boolean => !inScope || inScope.has(a);

  const changes: PlannedChange[] = [];
  const summary: PlanSummary = { add: 0, change: 0, replace: 0, destroy: 0, unchanged: 0 };
  const inputs: ExecutablePlan["inputs"] = {};
  const secretNames: ExecutablePlan["secretNames"] = {};
  const refresh: ExecutablePlan["refresh"] = {};
  const reading = opts.refresh && { ...opts.refresh, providerFor: opts.providerFor };

  if (!opts.destroy) {
    // Incompatible targets fail the whole plan before any provider runs; --target narrows which count.
    const incompatible = [...desired.values()].filter((r) => r.incompatible?.length && wanted(r.address)).flatMap((r) => r.incompatible!);
    if (incompatible.length) throw new IncompatibleTargets(incompatible);
    // Every check and diff first, several in flight, then the plan is assembled in order.
    const inScopeList = [...desired.values()].filter((r) => wanted(r.address));
    const decided = await mapLimit(inScopeList, PLAN_CONCURRENCY, async (r) => {
      const provider = opts.providerFor(r.kind, r.address);
      const rec: ResourceRecord | undefined = recorded[r.address];
      try {
        const checked = await provider.check(rec?.outputs ?? {}, r.inputs);
        const news = (checked.inputs ?? r.inputs) as Record<string, unknown>;
        // Refreshed first, so a drifted resource is diffed from what is really there and its repair planned like any change.
        const read = rec && reading ? await refreshOne(r.address, rec, reading) : undefined;
        const d = rec && !checked.failures?.length ? await provider.diff(rec.id, read?.drift ? read.outputs : rec.outputs, news) : undefined;
        return { checked, news, d, read };
      } catch (err) {
        return { error: namedError(r.address, err) };
      }
    });
    for (const [i, r] of inScopeList.entries()) {
      const one = decided[i];
      if ("error" in one) throw one.error;
      const rec: ResourceRecord | undefined = recorded[r.address];
      const { checked } = one;
      if (checked.failures?.length) {
        const f = checked.failures[0];
        throw new UsageError(`${r.address}: ${f.property}: ${f.reason}`);
      }
      let news = one.news;
      if (!rec) {
        summary.add++;
        changes.push(new PlannedCreate(r.address, r.kind, news, r.dependsOn, { ...declared(r.declaredIn), ...notesOf(r, true) }));
      } else {
        const read = one.read;
        const drift: ResourceDrift | undefined = read?.drift;
        const olds = drift ? read!.outputs : rec.outputs;
        const d = one.d!;
        if (opts.replace?.includes(r.address)) Object.assign(d, { changes: true, replaces: [...(d.replaces ?? []), "--replace"] });
        if (!d.changes && !drift) {
          summary.unchanged++;
          const book: Record<string, unknown> = {};
          if ("renderKey" in news && rec.outputs.renderKey !== news.renderKey) book.renderKey = news.renderKey;
          if (read && read.outputs.fileStat !== rec.outputs.fileStat) book.fileStat = read.outputs.fileStat;
          if (Object.keys(book).length) refresh[r.address] = withoutDuplicateHashes({ ...rec.outputs, ...book });
          continue;
        }
        const replace = (d.replaces?.length ?? 0) > 0;
        if (replace) summary.replace++;
        else summary.change++;
        const sys = replace && r.kind === "system" ? systemReplace(d.replaces!, news) : undefined;
        // Files an interrupted apply left half-written differ from the record too, but bootplan wrote them (its warning says so).
        const outside = !!drift && !state.pending.some((p) => p.address === r.address);
        if (outside) summary.drifted = (summary.drifted ?? 0) + 1;
        const reason = [outside ? DRIFT_REASON : "", replace ? sys?.reason ?? replaceReason(r.kind, d.replaces!) : ""].filter(Boolean).join("; ");
        // A reused rendering holds only digests: render it now, so the repair shows what apply writes.
        const rendered = drift && !files(news) && news.fileDigests ? opts.renderFiles?.(r.address) : undefined;
        if (rendered) news = { ...withoutKey(news, "fileDigests"), files: rendered };
        const drifted = drift ? driftFileChanges(drift, files(news)) : [];
        const rest = diffFiles(files(rec.outputs), files(news), digests(rec.outputs)).filter((f) => !drifted.some((x) => x.path === f.path));
        changes.push({
          address: r.address, kind: r.kind, action: replace ? "replace" : "update",
          ...(reason ? { reason } : {}), ...declared(r.declaredIn),
          fields: diffFields(olds, news), files: [...drifted, ...rest].sort((a, b) => (a.path < b.path ? -1 : 1)), dependsOn: r.dependsOn,
          ...notesOf(r, replace, sys?.notes),
        });
      }
      inputs[r.address] = news;
      if (r.secretNames.length) secretNames[r.address] = r.secretNames;
    }
  }
  for (const [address, rec] of Object.entries(recorded)) {
    if ((!opts.destroy && desired.has(address)) || !wanted(address)) continue;
    summary.destroy++;
    changes.push({ address, kind: rec.kind, action: "delete", ...declared(rec.declaredIn), fields: diffFields(rec.outputs, undefined), files: diffFiles(files(rec.outputs), undefined, digests(rec.outputs)), dependsOn: rec.dependsOn });
  }
  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));

  const warnings = state.pending.map(
    (p) => `${p.address}: a previous apply did not complete its ${p.action} (started ${p.startedAt}); its files may be incomplete, and applying this plan rewrites them where they differ`,
  );
  return {
    formatVersion: 1, stack: opts.stack, fingerprint: opts.fingerprint,
    state: { lineage: state.lineage, serial: state.serial }, targets, changes, summary, warnings, inputs, secretNames, refresh,
    refreshed: opts.refresh ? opts.refresh.runtime.refresh ?? "stat" : "off",
  };
}
