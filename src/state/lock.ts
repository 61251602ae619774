/**
 * The state lock: `<state>.lock`, created exclusively, naming who holds it (pid, host, command, time).
 *
 * Held during plan-with-refresh and apply. Released by `release()`, and automatically when the process
 * exits. On SIGINT/SIGTERM the lock is released and the signal re-raised, but only while no other handler
 * for that signal exists: a program that handles Ctrl-C itself (to finish in-flight operations) keeps the
 * lock until it exits, so the lock never disappears while work it guards is still running.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { StateError } from "../errors.js";
import { ensureParentDir, FILE_MODE } from "../util/atomic.js";
import type { LockInfo } from "./types.js";

/** How often a waiting acquire looks at the lock again. */
export const LOCK_POLL_MS = 100;

/** Whether a lock's process still runs: "unknown" when it runs on another host, where it cannot be checked. */
export type HolderStatus = "alive" | "gone" | "unknown";

/** The lock file that belongs to a state file. */
export function lockPathFor(statePath: string): string {
  return `${statePath}.lock`;
}

/** What a lock file holds: who, or that it is unreadable (a crash between creating it and writing it). */
type LockFileContents = { info: LockInfo } | { unreadable: string } | undefined;

function readLockFile(file: string): LockFileContents {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { unreadable: (err as Error).message };
  }
  if (text.trim() === "") return { unreadable: "it is empty" };
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isInteger(v.pid) && typeof v.host === "string" && typeof v.command === "string" && typeof v.since === "string") {
      return { info: v as LockInfo };
    }
    return { unreadable: "it does not name a holder" };
  } catch {
    return { unreadable: "it is not valid JSON" };
  }
}

function holder(info: LockInfo): string {
  return `pid ${info.pid} on host ${info.host} (${info.command}) since ${info.since}`;
}

function unreadableError(file: string, why: string, waitedMs: number | undefined): StateError {
  const waited = waitedMs ? ` (waited ${waitedMs} ms)` : "";
  return new StateError(
    "state.locked",
    `state lock ${file} exists but ${why}, probably left by a crash while taking it${waited}; if no bootplan is running, run: bootplan state unlock --force`,
  );
}

/** Tells whether the process holding a lock still runs. */
export function holderStatus(info: LockInfo): HolderStatus {
  if (info.host !== os.hostname()) return "unknown";
  try {
    process.kill(info.pid, 0);
    return "alive";
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "ESRCH" ? "gone" : "alive";
  }
}

const held = new Set<StateLock>();
const signalHandlers = new Map<NodeJS.Signals, () => void>();

function releaseAll(): void {
  for (const lock of [...held]) lock.release();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another handler owns this signal's meaning (e.g. a graceful stop): leave the lock to release()/exit.
  if (process.listenerCount(signal) > 1) return;
  releaseAll();
  uninstallHandlers();
  // With our handler gone the default action applies: the process ends by the signal (exit status 130/143).
  process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (signalHandlers.size > 0) return;
  process.on("exit", releaseAll);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const h = (): void => onSignal(sig);
    signalHandlers.set(sig, h);
    process.on(sig, h);
  }
}

function uninstallHandlers(): void {
  process.off("exit", releaseAll);
  for (const [sig, h] of signalHandlers) process.off(sig, h);
  signalHandlers.clear();
}

/** An exclusive lock on a state file, held by this process. */
export class StateLock {
  private released = false;

  private constructor(
    /** The lock file. */
    readonly file: string,
    /** What was written into it. */
    readonly info: LockInfo,
  ) {}

  /**
   * Takes the lock for `command` (e.g. "bootplan apply"). Fails fast with state.locked naming the holder
   * when it is held, or with timeoutMs > 0 polls until it is free or the time is up.
   */
  static async acquire(statePath: string, command: string, opts: { timeoutMs?: number } = {}): Promise<StateLock> {
    const file = lockPathFor(statePath);
    const timeoutMs = Math.max(0, opts.timeoutMs ?? 0);
    const start = Date.now();
    ensureParentDir(file);
    for (;;) {
      const lock = StateLock.tryCreate(file, command);
      if (lock) return lock;
      const waited = Date.now() - start;
      if (waited >= timeoutMs) {
        const contents = readLockFile(file);
        if (contents === undefined) continue; // released between our attempt and the read: try again
        if ("unreadable" in contents) throw unreadableError(file, contents.unreadable, timeoutMs && waited);
        const waitedText = timeoutMs ? `; waited ${Math.round(waited / 100) / 10}s, retry with a longer --lock-timeout` : "; retry with --lock-timeout";
        throw new StateError(
          "state.locked",
          `state is locked by ${holder(contents.info)}${waitedText}, or if that process is gone run: bootplan state unlock`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(LOCK_POLL_MS, timeoutMs - waited)));
    }
  }

  private static tryCreate(file: string, command: string): StateLock | undefined {
    const info: LockInfo = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
    // Handlers first: a SIGTERM the moment the lock file appears must find them (without one, the
    // default action would end the process and leave the lock behind). They run once this synchronous
    // code is done, when the lock is in `held`.
    installHandlers();
    // Written whole beside the lock, then linked into place: a kill -9 can never leave an empty lock file.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(info) + "\n", { mode: FILE_MODE });
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw err;
        // No hard links on this file system: create exclusively and write (a crash here can leave it empty).
        fs.writeFileSync(file, JSON.stringify(info) + "\n", { mode: FILE_MODE, flag: "wx" });
      }
    } catch (err) {
      if (held.size === 0) uninstallHandlers();
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return undefined;
      throw new StateError("state.lock-failed", `cannot create state lock ${file}: ${(err as Error).message}`);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const lock = new StateLock(file, info);
    held.add(lock);
    return lock;
  }

  /** Removes the lock file if it is still ours (same pid and time); safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    if (held.size === 0) uninstallHandlers();
    const contents = readLockFile(this.file);
    // Someone ran `state unlock --force` and another run took the lock: that one is not ours to remove.
    if (contents && "info" in contents && contents.info.pid === this.info.pid && contents.info.since === this.info.since) {
      fs.rmSync(this.file, { force: true });
    }
  }

  /** Who holds the lock on a state, or undefined when it is free; throws state.lock-unreadable for a damaged lock file. */
  static inspect(statePath: string): LockInfo | undefined {
    const file = lockPathFor(statePath);
    const contents = readLockFile(file);
    if (contents && "unreadable" in contents) {
      throw new StateError("state.lock-unreadable", `state lock ${file} exists but ${contents.unreadable}`);
    }
    return contents?.info;
  }

  /**
   * `bootplan state unlock`: removes a lock whose process is gone and returns who held it (undefined when
   * unlocked). Refuses with state.lock-held when the holder runs, or runs on another host, unless force.
   */
  static unlock(statePath: string, { force = false, pid }: { force?: boolean; pid?: number } = {}): LockInfo | undefined {
    const file = lockPathFor(statePath);
    const contents = readLockFile(file);
    if (contents === undefined) return undefined;
    if ("unreadable" in contents) {
      if (!force) throw unreadableError(file, contents.unreadable, undefined);
      fs.rmSync(file, { force: true });
      return undefined;
    }
    const info = contents.info;
    // Forcing away a live holder's lock lets a second apply run beside it: only with its pid confirmed.
    if (force && pid !== info.pid && holderStatus(info) === "alive") {
      throw new StateError(
        "state.lock-held",
        `state is locked by ${holder(info)}, which is still running on this host; stop it, or if you are sure, run: bootplan state unlock --force --pid ${info.pid}`,
      );
    }
    if (!force) {
      const status = holderStatus(info);
      if (status === "alive") {
        throw new StateError("state.lock-held", `state is locked by ${holder(info)}, which is still running; stop it, or run: bootplan state unlock --force`);
      }
      if (status === "unknown") {
        throw new StateError(
          "state.lock-held",
          `state is locked by ${holder(info)}; that host cannot be checked from ${os.hostname()}, so if that process is gone run: bootplan state unlock --force`,
        );
      }
    }
    fs.rmSync(file, { force: true });
    return info;
  }
}
