/**
 * `netboot: once`: a system boots its installer until the install-done callback is recorded
 * (`installedAt` in its state), then its local disk. A changed distro (a reinstall) re-arms it.
 */
import type { System } from "../model/stack.js";
import { installTokenName } from "../secrets/install-token.js";
import { secretMarker } from "../secrets/secrets.js";

/** How one system renders given what its state records. */
export interface InstallOnceView {
  /** The system as rendered: netboot off once its install is recorded. */
  system: System;
  /** The callback URL its answer file calls (token as a secret marker). */
  installDoneUrl?: string;
  /** Inputs recorded with the system: `netbootOnce`, and `installedAt` while the install stands. */
  inputs: Record<string, unknown>;
  /** The token's secret name, which the provider needs to write the answer file. */
  secretNames: string[];
}

/** The callback path of a system, below the server URL. */
export function installDonePath(system: string): string {
  return `/install-done/${system}`;
}

/** The rendering view of `sys` given its recorded outputs (undefined before its first apply). */
export function installOnceView(sys: System, distro: string, serverUrl: string, recorded?: Record<string, unknown>): InstallOnceView {
  if (!sys.netbootOnce) return { system: sys, inputs: {}, secretNames: [] };
  const token = installTokenName(sys.name);
  const installDoneUrl = `${serverUrl}${installDonePath(sys.name)}?token=${secretMarker(token)}`;
  const installedAt = recorded?.netbootOnce === true && recorded.distro === distro && typeof recorded.installedAt === "string" ? recorded.installedAt : undefined;
  return {
    system: installedAt && sys.netboot ? { ...sys, netboot: false } : sys,
    installDoneUrl,
    inputs: { netbootOnce: true, ...(installedAt ? { installedAt } : {}) },
    secretNames: [token],
  };
}
