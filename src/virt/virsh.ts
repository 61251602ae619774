/** virsh against one libvirt URI: each call its own process, failures as one-line errors naming the hypervisor. */
import { errorLines, runTool, ToolError } from "../util/tool.js";

/** A libvirt operation failed; `missing` when libvirt said the domain or volume does not exist. */
export class VirshError extends ToolError {
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(missing ? "virt.not-found" : "virt.failed", message);
  }
}

const NOT_FOUND = /failed to get (domain|vol)|not found|no (domain|storage vol(ume)?) with matching/i;

/** Runs `virsh -c URI args…` and returns its stdout; a failure names the URI and libvirt's own words. */
export async function virsh(uri: string, args: string[], timeoutMs?: number): Promise<string> {
  const r = await runTool("virsh", ["-q", "-c", uri, ...args], { timeoutMs, debianPackage: "libvirt-clients" });
  if (r.status !== 0) {
    const why = errorLines(r.stderr);
    throw new VirshError(`virsh ${args[0]} on ${uri}: ${why}`, NOT_FOUND.test(r.stderr));
  }
  return r.stdout;
}

/** Like `virsh`, but undefined when libvirt reports the object missing. */
export async function virshIfExists(uri: string, args: string[]): Promise<string | undefined> {
  try {
    return await virsh(uri, args);
  } catch (err) {
    if (err instanceof VirshError && err.missing) return undefined;
    throw err;
  }
}
