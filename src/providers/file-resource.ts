/**
 * Providers for the kinds that write files under the provisioning root: systems (boot configs and
 * answer files), distros (hosted kernels and initrds) and CM handoffs.
 *
 * Pulumi serializes provider objects and runs them in another process, so no method may capture a
 * module-level import: each loads its implementation by package name inside its body. Captured plain
 * data (`replaceOn`, the implementation's module name) is serialized by value and is fine.
 */
import type { BootplanProvider } from "./types.js";
import { loadOnce } from "./load-once.js";

type Props = Record<string, unknown>;

/** What a file-writing implementation module exports (files-impl.js, cm-impl.js). */
export interface FileImpl {
  applyFiles(news: Props, olds?: Props): Props;
  readFiles(props: Props): Props;
  deleteFiles(props: Props): void;
}

/**
 * A provider writing files through the implementation module `impl`; a change to a `replaceOn` key
 * replaces the resource (old files removed first).
 */
export function fileProvider(replaceOn: string[], impl = "bootplan/providers/files-impl.js"): BootplanProvider {
  return {
    async check(_olds: Props, news: Props) {
      return { inputs: news };
    },
    async diff(_id: string, olds: Props, news: Props) {
      const { diffProps } = await loadOnce<typeof import("./diff.js")>("bootplan/providers/diff.js");
      return diffProps(olds, news, replaceOn, true);
    },
    async create(inputs: Props) {
      const m = await loadOnce<FileImpl>(impl);
      return { id: String(inputs.name), outs: m.applyFiles(inputs) };
    },
    async read(id: string, props?: Props) {
      const m = await loadOnce<FileImpl>(impl);
      return { id, props: props ? m.readFiles(props) : {} };
    },
    async update(_id: string, olds: Props, news: Props) {
      const m = await loadOnce<FileImpl>(impl);
      return { outs: m.applyFiles(news, olds) };
    },
    async delete(_id: string, props: Props) {
      const m = await loadOnce<FileImpl>(impl);
      m.deleteFiles(props);
    },
  };
}

/**
 * Provider for `system.*`: a changed distro, provisioning root or profile `reinstallOn` field is a
 * reinstall (replace), anything else an update. The create that completes a replace of a system with
 * `ssh` reinstalls the running machine through the helper (it reboots itself into the installer); any
 * other install of a netbooting machine with `power:` is booted through its BMC. Read reports files,
 * facts (full refresh, ssh) and power state.
 */
export const systemProvider: BootplanProvider = {
  ...fileProvider(["distro", "root"]),
  async diff(_id: string, olds: Props, news: Props) {
    const { diffProps } = await loadOnce<typeof import("./diff.js")>("bootplan/providers/diff.js");
    return diffProps(olds, news, ["distro", "root", ...((news.reinstallOn as string[] | undefined) ?? [])], true);
  },
  async create(inputs: Props) {
    const m = await loadOnce<typeof import("./system-ssh.js")>("bootplan/providers/system-ssh.js");
    const power = await loadOnce<typeof import("./system-power.js")>("bootplan/providers/system-power.js");
    const outs = await m.createSystem(inputs);
    const viaHelper = inputs.__replacing === true && !!inputs.ssh;
    return { id: String(inputs.name), outs: viaHelper ? outs : await power.powerOnInstall(inputs, outs) };
  },
  async read(id: string, props?: Props) {
    if (!props) return { id, props: {} };
    const m = await loadOnce<typeof import("./system-ssh.js")>("bootplan/providers/system-ssh.js");
    const power = await loadOnce<typeof import("./system-power.js")>("bootplan/providers/system-power.js");
    const read = await m.readSystem(props);
    // Files as recorded, no facts read and no BMC to ask: the props come back as given (see refreshOne).
    if (read === props && !props.power) return { id, props };
    const { __secrets: _drop, ...now } = read;
    return { id, props: await power.readPower(props, now) };
  },
};

/** Provider for `distro.*`: hosted boot files are copied in and verified; linked ones need no file. */
export const distroProvider = fileProvider(["root"]);

/** Provider for `server.<stack>`: the dnsmasq configuration and the chain scripts bootplan serve uses. */
export const serverProvider = fileProvider(["root"]);

/** Provider for `loader.<file>`: a boot loader copied from its Debian package into tftp/, sha256-verified. */
export const loaderProvider = fileProvider(["root"]);

/** Provider for `cm.<cm>.<system>`: one machine's handoff to one CM system (its own artifacts). */
export const cmHandoffProvider = fileProvider(["root"], "bootplan/providers/cm-impl.js");

/** Provider for `cm.<cm>`: the artifacts a CM system's members share (inventory, top files) and its node directory. */
export const cmIndexProvider = fileProvider(["root"], "bootplan/providers/cm-impl.js");
