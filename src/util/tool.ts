/** Runs an external tool (virsh, ipmitool) without a shell, bounded in time, and reports its failures by class. */
import { execFile } from "node:child_process";
import { BootplanError } from "../errors.js";

/** A system tool failed or is missing; the message says which and why in one line. */
export class ToolError extends BootplanError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a finished tool run printed, and its exit status. */
export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** How to run a tool: its time limit, extra environment, and the package that installs it (for the hint). */
export interface ToolOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Debian package that provides the tool, named when it is missing. */
  debianPackage: string;
}

/** Runs `cmd args…` (never through a shell); resolves with its output whatever its status, rejects when it cannot run or times out. */
export function runTool(cmd: string, args: string[], opts: ToolOptions): Promise<ToolResult> {
  const timeout = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout, killSignal: "SIGKILL", maxBuffer: 16 << 20, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e?.code === "ENOENT") return reject(new ToolError("tool.missing", `${cmd} is not installed (Debian package ${opts.debianPackage})`));
      if (e?.killed) return reject(new ToolError("tool.timeout", `${cmd} ${args[0] ?? ""} did not finish within ${Math.round(timeout / 1000)} s`));
      if (e && typeof e.code !== "number") return reject(new ToolError("tool.failed", `${cmd}: ${e.message}`));
      resolve({ status: e ? Number(e.code) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The lines of a tool's stderr that say what went wrong, joined on one line. */
export function errorLines(stderr: string, pattern = /error|unable|invalid|fail/i): string {
  const lines = stderr.split("\n").map((l) => l.replace(/^[\s>]+/, "").trim()).filter(Boolean);
  const picked = lines.filter((l) => pattern.test(l));
  return (picked.length ? picked : lines).map((l) => l.replace(/^error:\s*/, "")).join("; ") || "no error message";
}
