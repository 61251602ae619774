/**
 * Apply progress, readable at any fleet size: on a terminal one live block (counts, rate, ETA, the
 * operations in flight) redrawn in place; in a pipe a line per resource for small applies, otherwise
 * at most one progress line every few seconds plus one line per failure; `--progress=json` one JSON
 * event per line for tools.
 */
import pc from "picocolors";
import type { ApplyEvent } from "../engine/apply.js";
import type { Io } from "./output.js";

const PAST: Record<string, string> = { create: "created", update: "updated", replace: "replaced", delete: "destroyed" };

/** In a pipe, applies of at most this many operations still log one line per resource. */
export const LINE_PER_RESOURCE_MAX = 50;
/** In a pipe, the least time between two progress lines of a large apply. */
export const PIPE_INTERVAL_MS = 5000;
/** On a terminal, the least time between two redraws of the live block. */
const TTY_INTERVAL_MS = 100;
/** Operations in flight the live block names. */
const SHOWN_IN_FLIGHT = 5;

/** How progress is shown. */
export type ProgressMode = "tty" | "plain" | "json";

/** A progress display: an event handler and a function that settles the display at the end. */
export interface ProgressReporter {
  onEvent: (e: ApplyEvent) => void;
  finish: () => void;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** "[120/10000] 1%, 41.3/s, ETA 4m00s, 2 failed" for the counts so far. */
export function progressLine(done: number, failed: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 && done < total ? `, ETA ${duration(((total - done) / rate) * 1000)}` : "";
  const pct = total ? Math.floor((done * 100) / total) : 100;
  return `[${done}/${total}] ${pct}%, ${rate.toFixed(1)}/s${eta}${failed ? `, ${failed} failed` : ""}`;
}

/** Picks the display: `--progress` when given, else the live block on a terminal and lines in a pipe. */
export function progressMode(option: "auto" | "plain" | "json" | undefined, io: Io): ProgressMode {
  return option === "json" ? "json" : option === "plain" || !io.isTty ? "plain" : "tty";
}

/** Returns a reporter that shows progress of `total` operations on `io` in `mode`. */
export function progressReporter(io: Io, total: number, color: boolean, mode: ProgressMode = io.isTty ? "tty" : "plain", now: () => number = () => performance.now()): ProgressReporter {
  const c = pc.createColors(color);
  const t0 = now();
  const inFlight = new Set<string>();
  let done = 0, failed = 0, drawn = 0, last = -Infinity;

  if (mode === "json") {
    return {
      onEvent: (e) => io.out(JSON.stringify({ ...e, ...(e.type === "start" ? {} : { ms: Math.round(e.ms) }), total }) + "\n"),
      finish: () => undefined,
    };
  }

  if (mode === "plain") {
    const perResource = total <= LINE_PER_RESOURCE_MAX;
    return {
      onEvent: (e) => {
        if (e.type === "start") return;
        done++;
        if (e.type === "failed") {
          failed++;
          io.out(`${c.red(e.address)}: ${e.action} failed: ${e.error}\n`);
        } else if (perResource) {
          io.out(`${c.green(e.address)}: ${PAST[e.action]} (${Math.round(e.ms)} ms)\n`);
        } else if (now() - last >= PIPE_INTERVAL_MS && done < total) {
          last = now();
          io.out(`${progressLine(done, failed, total, last - t0)}\n`);
        }
      },
      finish: () => undefined,
    };
  }

  // tty: a block of lines redrawn in place (cursor up over what was drawn, clear to the end of screen).
  const draw = (force = false): void => {
    const t = now();
    if (!force && t - last < TTY_INTERVAL_MS) return;
    last = t;
    const names = [...inFlight].slice(0, SHOWN_IN_FLIGHT);
    const lines = [c.bold(progressLine(done, failed, total, t - t0)), ...names.map((a) => c.dim(`  ${a}`))];
    if (inFlight.size > names.length) lines.push(c.dim(`  and ${inFlight.size - names.length} more in flight`));
    io.out(`${drawn ? `\x1b[${drawn}F` : "\r"}\x1b[J${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  const clear = (): void => {
    if (drawn) io.out(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  return {
    onEvent: (e) => {
      if (e.type === "start") inFlight.add(e.address);
      else {
        inFlight.delete(e.address);
        done++;
        if (e.type === "failed") {
          failed++;
          clear();
          io.out(`${c.red(e.address)}: ${e.action} failed: ${e.error}\n`);
        }
      }
      draw(e.type === "failed");
    },
    finish: clear,
  };
}
