/** `power:` on systems: checked against the declared secrets and attached to the resolved systems. */
import { StackError } from "../errors.js";
import type { PowerSpec, System } from "../model/stack.js";
import type { RawStack } from "../stack/raw.js";
import { formatDocPath, locate } from "../stack/yaml.js";

/** The IPMI-over-LAN UDP port a BMC listens on unless told otherwise. */
export const IPMI_PORT = 623;

/** Sets `power` on every resolved system that declares it; a password naming no secret is an error. */
export function attachPower(raw: RawStack, systems: Record<string, System>, errors: StackError[]): void {
  for (const e of raw.kinds.systems.values()) {
    const p = e.value.power as (Omit<PowerSpec, "port" | "interface"> & { port?: number; interface?: PowerSpec["interface"] }) | undefined;
    if (!p) continue;
    if (!raw.kinds.secrets.has(p.password.secret)) {
      const path = [...e.path, "power", "password", "secret"];
      errors.push(new StackError("stack.dangling-ref", locate(e.file, path), `${formatDocPath(path)}: no secret named ${JSON.stringify(p.password.secret)} under secrets:`));
      continue;
    }
    const sys = systems[e.name];
    if (!sys) continue;
    sys.power = {
      type: "ipmi", host: p.host, port: p.port ?? IPMI_PORT, user: p.user, password: { secret: p.password.secret },
      interface: p.interface ?? "lanplus", ...(p.cipherSuite !== undefined ? { cipherSuite: p.cipherSuite } : {}),
    };
  }
}
