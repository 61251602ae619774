/** A system's `power:` as resource inputs (the password by secret name only) and the plan line of its install. */
import type { PowerSpec } from "../model/stack.js";

/** The BMC settings recorded with the system; the password is named, its value never appears. */
export function powerInputs(p: PowerSpec): Record<string, unknown> {
  return {
    type: p.type, host: p.host, port: p.port, user: p.user, passwordSecret: p.password.secret, interface: p.interface,
    ...(p.cipherSuite !== undefined ? { cipherSuite: p.cipherSuite } : {}),
  };
}

/** What the plan shows for an install (create or reinstall) of a netbooting system with power control. */
export function powerInstallNote(p: PowerSpec): string {
  return `power: cycle, next boot pxe (BMC ${p.host}:${p.port}; power on if off)`;
}
