/** Which stack file declares a desired resource, so the state can remember it and a later destroy can say where it went. */
import type { SourcePosition } from "../errors.js";
import type { Stack } from "../model/stack.js";
import { stackFileOf } from "../stack/yaml.js";
import { parseAddress, type DesiredResource } from "./resource.js";

/** The stack-relative file declaring `r` (a CM handoff: its system's file); undefined when unknown. */
export function declaringFile(stack: Stack, r: DesiredResource): string | undefined {
  const { name } = parseAddress(r.address);
  let pos: SourcePosition | undefined;
  switch (r.kind) {
    case "distro": pos = stack.distros[name]?.source; break;
    case "repo": pos = stack.repos[name]?.source; break;
    case "profile": pos = stack.profiles[name]?.source; break;
    case "system": pos = stack.systems[name]?.source; break;
    case "guest": pos = stack.guests[name]?.source; break;
    case "cm-index": pos = stack.cm[name]?.source; break;
    case "cm": pos = stack.systems[name.slice(name.indexOf(".") + 1)]?.source; break;
  }
  return stackFileOf(pos);
}
