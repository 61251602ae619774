/**
 * Power control through a BMC with ipmitool (IPMI over LAN). The password goes to ipmitool in a file
 * only this user can read (`-f`), removed afterwards: never on a command line another user can see.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorLines, runTool, ToolError } from "../util/tool.js";

/** How to reach a BMC, as recorded with the system (no password). */
export interface Bmc {
  host: string;
  port: number;
  user: string;
  interface: "lanplus" | "lan";
  cipherSuite?: number;
}

/** The actions `bootplan power` offers. */
export type PowerAction = "on" | "off" | "cycle" | "status";

/** A BMC operation failed: wrong credentials, no answer, or a refused command (code says which). */
export class PowerError extends ToolError {}

/** How a BMC is named in messages: its address and the user bootplan logs in as. */
export function describeBmc(b: Bmc): string {
  return `BMC ${b.host}:${b.port} (user ${b.user})`;
}

function classify(b: Bmc, args: string[], stderr: string): PowerError {
  const said = errorLines(stderr, /error|unable|invalid|unauthori[sz]ed|insufficient|fail/i);
  if (/HMAC is invalid|password|authcode|Activate Session error/i.test(stderr)) {
    return new PowerError("power.auth", `${describeBmc(b)} refused the login: wrong password (ipmitool: ${said})`);
  }
  if (/unauthorized name|invalid user/i.test(stderr)) {
    return new PowerError("power.auth", `${describeBmc(b)} refused the login: no such user (ipmitool: ${said})`);
  }
  if (/Get Auth Capabilities error|Channel Authentication Capabilities|No response|timeout/i.test(stderr)) {
    return new PowerError("power.unreachable", `${describeBmc(b)} did not answer over IPMI ${b.interface} (ipmitool: ${said})`);
  }
  return new PowerError("power.failed", `${describeBmc(b)}: ipmitool ${args.join(" ")} failed: ${said}`);
}

/**
 * Runs one ipmitool command against the BMC; resolves to its stdout. `quick` tries once with a short
 * timeout (reads during a refresh, where an unreachable BMC must not hold up the plan for long).
 */
export async function ipmitool(b: Bmc, password: string, args: string[], quick = false): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "bootplan-ipmi-"));
  try {
    const pwFile = join(dir, "password");
    writeFileSync(pwFile, password, { mode: 0o600 });
    const base = ["-v", "-I", b.interface, "-H", b.host, "-p", String(b.port), "-U", b.user, "-f", pwFile, "-R", quick ? "1" : "3", "-N", quick ? "1" : "2"];
    if (b.cipherSuite !== undefined && b.interface === "lanplus") base.push("-C", String(b.cipherSuite));
    const r = await runTool("ipmitool", [...base, ...args], { timeoutMs: 60_000, debianPackage: "ipmitool" });
    if (r.status !== 0) throw classify(b, args, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The chassis power state the BMC reports: "on" or "off". */
export async function powerState(b: Bmc, password: string, quick = false): Promise<"on" | "off"> {
  const out = await ipmitool(b, password, ["power", "status"], quick);
  const m = /Chassis Power is (on|off)/i.exec(out);
  if (!m) throw new PowerError("power.failed", `${describeBmc(b)}: unexpected answer to power status: ${JSON.stringify(out.trim())}`);
  return m[1].toLowerCase() as "on" | "off";
}

/** Runs an operator's power action; resolves to the power state afterwards (as the BMC reports it). */
export async function runPowerAction(b: Bmc, password: string, action: PowerAction): Promise<"on" | "off"> {
  if (action !== "status") await ipmitool(b, password, ["power", action]);
  return powerState(b, password);
}

/**
 * Starts an install: next boot from the network, then a power cycle (or power on, when the machine is
 * off). Resolves to what was done, e.g. "next boot pxe, power cycle".
 */
export async function bootIntoInstaller(b: Bmc, password: string): Promise<string> {
  await ipmitool(b, password, ["chassis", "bootdev", "pxe"]);
  const action = (await powerState(b, password)) === "on" ? "cycle" : "on";
  await ipmitool(b, password, ["power", action]);
  return `next boot pxe, power ${action}`;
}
