/**
 * Provider for `system.*`: writes a system's boot configs and answer file; for a system with `ssh`,
 * a replace also reinstalls the running machine through the helper, and `read` reports what its
 * facts say about the declared attributes.
 *
 * Serialized by Pulumi and run in another process: methods capture no module-level import and load
 * their implementation by package name inside their bodies.
 */
import type { BootplanProvider } from "./types.js";

type Props = Record<string, unknown>;

/** The system provider: a changed distro, root or `reinstallOn` field replaces (reinstalls); anything else updates in place. */
export const systemProvider: BootplanProvider = {
  async check(_olds: Props, news: Props) {
    return { inputs: news };
  },
  async diff(_id: string, olds: Props, news: Props) {
    const { diffProps } = await import("bootplan/providers/diff.js");
    return diffProps(olds, news, ["distro", "root", ...((news.reinstallOn as string[] | undefined) ?? [])], true);
  },
  async create(inputs: Props) {
    const files = await import("bootplan/providers/files-impl.js");
    // The answer file and boot configs go first: the installer fetches them once the machine reboots.
    const outs = files.applyFiles(inputs);
    if (inputs.__replacing === true && inputs.ssh) {
      const { reinstallSystem } = await import("bootplan/providers/system-impl.js");
      await reinstallSystem(inputs);
    }
    return { id: String(inputs.name), outs };
  },
  async read(id: string, props?: Props) {
    if (!props) return { id, props: {} };
    const files = await import("bootplan/providers/files-impl.js");
    const now = files.readFiles(props);
    if (!props.ssh) return { id, props: now };
    const { readSystemFacts } = await import("bootplan/providers/system-impl.js");
    return { id, props: await readSystemFacts(now) };
  },
  async update(_id: string, olds: Props, news: Props) {
    const files = await import("bootplan/providers/files-impl.js");
    return { outs: files.applyFiles(news, olds) };
  },
  async delete(_id: string, props: Props) {
    const files = await import("bootplan/providers/files-impl.js");
    files.deleteFiles(props);
  },
};
