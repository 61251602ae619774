/**
 * Provider for logical resources (`profile.*`, `repo.*`): they write nothing themselves — their effect
 * reaches disk through the systems that use them — but are recorded so the plan shows their changes.
 */
import type { BootplanProvider } from "./types.js";
import { loadOnce } from "./load-once.js";

type Props = Record<string, unknown>;

/** Records inputs as outputs; read returns the record, which is the whole truth for a logical resource. */
export const recordProvider: BootplanProvider = {
  async check(_olds: Props, news: Props) {
    return { inputs: news };
  },
  async diff(_id: string, olds: Props, news: Props) {
    const { diffProps } = await loadOnce<typeof import("./diff.js")>("bootplan/providers/diff.js");
    return diffProps(olds, news);
  },
  async create(inputs: Props) {
    return { id: String(inputs.name), outs: inputs };
  },
  async read(id: string, props?: Props) {
    return { id, props: props ?? {} };
  },
  async update(_id: string, _olds: Props, news: Props) {
    return { outs: news };
  },
  async delete() {
    /* nothing outside the state to remove */
  },
};
