/** Apply progress: a live status line on a terminal, one line per event otherwise (CI logs). */
import pc from "picocolors";
import type { ApplyEvent } from "../engine/apply.js";
import type { Io } from "./output.js";

const PAST: Record<string, string> = { create: "created", update: "updated", replace: "replaced", delete: "destroyed" };
const DOING: Record<string, string> = { create: "creating", update: "updating", replace: "replacing", delete: "destroying" };

/** Returns an event handler that reports progress on `io`, and a function to finish the display. */
export function progressReporter(io: Io, total: number, color: boolean): { onEvent: (e: ApplyEvent) => void; finish: () => void } {
  const c = pc.createColors(color && io.isTty);
  const inFlight = new Set<string>();
  let done = 0;
  const status = (): string => {
    const list = [...inFlight].slice(0, 3).join(", ") + (inFlight.size > 3 ? `, +${inFlight.size - 3}` : "");
    return `\r\x1b[2K${c.dim(`[${done}/${total}]`)} ${inFlight.size ? `working on ${list}` : ""}`;
  };
  const onEvent = (e: ApplyEvent): void => {
    if (e.type === "start") {
      inFlight.add(e.address);
      if (!io.isTty) io.out(`${e.address}: ${DOING[e.action]}...\n`);
    } else {
      inFlight.delete(e.address);
      done++;
      const line = e.type === "done"
        ? `${c.green(e.address)}: ${PAST[e.action]} (${Math.round(e.ms)} ms)`
        : `${c.red(e.address)}: ${e.action} failed: ${e.error}`;
      io.out(io.isTty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    }
    if (io.isTty) io.out(status());
  };
  return { onEvent, finish: () => io.isTty && io.out("\r\x1b[2K") };
}
