/** `serve:` in stack.yaml, with its defaults applied (the schema has already checked its shape). */
import type { ServeSettings } from "../model/stack.js";

/** The defaults a stack without `serve:` gets: dnsmasq owns DHCP for the declared addresses, iPXE everywhere. */
export const DEFAULT_SERVE: ServeSettings = { dhcp: "static", loaders: { bios: "ipxe", uefi: "ipxe" } };

/** The serve settings of a raw (schema-valid) `serve:` value. */
export function serveSettings(raw: unknown): ServeSettings {
  const v = (raw ?? {}) as { dhcp?: ServeSettings["dhcp"]; interface?: string; loaders?: Partial<ServeSettings["loaders"]> };
  return {
    dhcp: v.dhcp ?? DEFAULT_SERVE.dhcp,
    ...(v.interface ? { interface: v.interface } : {}),
    loaders: { ...DEFAULT_SERVE.loaders, ...v.loaders },
  };
}
