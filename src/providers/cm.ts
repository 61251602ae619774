/**
 * Providers for CM handoffs (`cm.<cm>.<system>`, a node's own artifacts) and CM indexes (`cm.<cm>`,
 * the artifacts a CM system's members share). Both write files under the provisioning root; a
 * changed class, host or group is an update that rewrites only the files whose bytes changed, and
 * only a moved provisioning root is a replace (the old files go first).
 *
 * Pulumi serializes provider objects and runs them in another process, so no method captures a
 * module-level import: each loads its implementation by package name inside its body.
 */
import type { BootplanProvider } from "./types.js";

type Props = Record<string, unknown>;

function cmProvider(): BootplanProvider {
  return {
    async check(_olds: Props, news: Props) {
      return { inputs: news };
    },
    async diff(_id: string, olds: Props, news: Props) {
      const { diffProps } = await import("bootplan/providers/diff.js");
      return diffProps(olds, news, ["root"], true);
    },
    async create(inputs: Props) {
      const { applyCm } = await import("bootplan/providers/cm-impl.js");
      return { id: String(inputs.name), outs: applyCm(inputs) };
    },
    async read(id: string, props?: Props) {
      const { readFiles } = await import("bootplan/providers/files-impl.js");
      return { id, props: props ? readFiles(props) : {} };
    },
    async update(_id: string, olds: Props, news: Props) {
      const { applyCm } = await import("bootplan/providers/cm-impl.js");
      return { outs: applyCm(news, olds) };
    },
    async delete(_id: string, props: Props) {
      const { deleteCm } = await import("bootplan/providers/cm-impl.js");
      deleteCm(props);
    },
  };
}

/** Provider for `cm.<cm>.<system>`: one machine's handoff to one CM system. */
export const cmHandoffProvider = cmProvider();

/** Provider for `cm.<cm>`: the artifacts a CM system's members share (inventory, top files) and its node directory. */
export const cmIndexProvider = cmProvider();
