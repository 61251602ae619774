/** Which system a served path belongs to, for the access log (by MAC, answer-file name or callback). */
import type { Stack } from "../model/stack.js";

/** Looks up the system a request path is about; undefined for shared files (boot.ipxe, images). */
export type SystemOfPath = (path: string) => string | undefined;

/** Builds the lookup for a stack: `/ipxe/<mac>.ipxe`, `/answers/<name>.cfg`, `/answers/<name>/…`, `/install-done/<name>`. */
export function systemLookup(stack: Pick<Stack, "systems">): SystemOfPath {
  const byMac = new Map<string, string>();
  for (const s of Object.values(stack.systems)) for (const i of s.interfaces) byMac.set(i.mac.replace(/:/g, "-"), s.name);
  const known = (name: string | undefined) => (name !== undefined && Object.prototype.hasOwnProperty.call(stack.systems, name) ? name : undefined);
  return (path) => {
    let m = /^\/ipxe\/([0-9a-f-]{17})\.ipxe$/.exec(path);
    if (m) return byMac.get(m[1]);
    m = /^\/answers\/([^/]+?)(?:\.cfg$|\/)/.exec(path);
    if (m) return known(m[1]);
    m = /^\/install-done\/([^/]+)$/.exec(path);
    return m ? known(m[1]) : undefined;
  };
}
