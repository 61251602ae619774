/**
 * Providers for the kinds that write files under the provisioning root: systems (boot configs and
 * answer files) and distros (hosted kernels and initrds).
 *
 * Pulumi serializes provider objects and runs them in another process, so no method may capture a
 * module-level import: each loads its implementation by package name inside its body. Captured plain
 * data (`replaceOn`) is serialized by value and is fine.
 */
import type { BootplanProvider } from "./types.js";

type Props = Record<string, unknown>;

/** A provider writing files; a change to a `replaceOn` key replaces the resource (old files removed first). */
export function fileProvider(replaceOn: string[]): BootplanProvider {
  return {
    async check(_olds: Props, news: Props) {
      return { inputs: news };
    },
    async diff(_id: string, olds: Props, news: Props) {
      const { diffProps } = await import("bootplan/providers/diff.js");
      return diffProps(olds, news, replaceOn, true);
    },
    async create(inputs: Props) {
      const { applyFiles } = await import("bootplan/providers/files-impl.js");
      return { id: String(inputs.name), outs: applyFiles(inputs) };
    },
    async read(id: string, props?: Props) {
      const { readFiles } = await import("bootplan/providers/files-impl.js");
      return { id, props: props ? readFiles(props) : {} };
    },
    async update(_id: string, olds: Props, news: Props) {
      const { applyFiles } = await import("bootplan/providers/files-impl.js");
      return { outs: applyFiles(news, olds) };
    },
    async delete(_id: string, props: Props) {
      const { deleteFiles } = await import("bootplan/providers/files-impl.js");
      deleteFiles(props);
    },
  };
}

/** Provider for `system.*`: a changed distro or provisioning root is a reinstall (replace), anything else an update. */
export const systemProvider = fileProvider(["distro", "root"]);

/** Provider for `distro.*`: hosted boot files are copied in and verified; linked ones need no file. */
export const distroProvider = fileProvider(["root"]);
