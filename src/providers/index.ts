/** The provider for each resource kind. */
import { InternalError } from "../errors.js";
import { serverProvider, cmHandoffProvider, cmIndexProvider, distroProvider, loaderProvider, systemProvider } from "./file-resource.js";
import { recordProvider } from "./record.js";
import { guestProvider } from "./guest.js";
import type { BootplanProvider } from "./types.js";

/** Every kind bootplan manages, with its provider. */
export const PROVIDERS: Record<string, BootplanProvider> = {
  distro: distroProvider,
  repo: recordProvider,
  profile: recordProvider,
  system: systemProvider,
  cm: cmHandoffProvider,
  "cm-index": cmIndexProvider,
  guest: guestProvider,
  server: serverProvider,
  loader: loaderProvider,
};

/** The provider for a kind; an unknown kind (a state from a newer bootplan) is an internal error. */
export function providerFor(kind: string): BootplanProvider {
  const p = PROVIDERS[kind];
  if (!p) throw new InternalError(`no provider for resource kind ${JSON.stringify(kind)}`);
  return p;
}

/**
 * True when refreshing this record (stat mode) reads nothing but its files: no BMC, hypervisor or SSH.
 * A plan memo (cli/plan-memo.ts) may then stand in for it with the files' stat digest alone.
 */
export function refreshReadsOnlyFiles(kind: string, outputs: Record<string, unknown>): boolean {
  if (kind === "guest") return false;
  if (kind === "system") return !outputs.power;
  return kind in PROVIDERS;
}
