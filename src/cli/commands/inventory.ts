/**
 * `bootplan inventory [DIR] --list | --host H`: an Ansible dynamic inventory script over what the
 * last apply handed to an Ansible CM system (the recorded state, not the stack).
 */
import { CmLookupError } from "../../cm/errors.js";
import { hostDocument, listDocument, type InventoryHost } from "../../cm/inventory.js";
import { locateState } from "../../cm/state-locate.js";
import { chooseCm, RecordedState, type RecordedResource } from "../../cm/state-read.js";
import { UsageError } from "../../errors.js";
import type { StateSettings } from "../../model/stack.js";
import type { CliConfig } from "../options.js";
import { postgresState } from "../pg-state.js";
import type { Io } from "../output.js";

function hostOf(r: RecordedResource): InventoryHost {
  const o = r.outputs as { node: { name: string; ips?: string[] }; class: { groups?: string[]; vars?: Record<string, unknown> } };
  return { name: o.node.name, ips: o.node.ips ?? [], groups: o.class.groups ?? [], vars: o.class.vars ?? {} };
}

/** The CM records of a PostgreSQL state (indexes and handoffs), read with two queries by kind. */
async function recordedFromPostgres(pg: { stack: string; state: StateSettings }, io: Io): Promise<RecordedState> {
  const { pgStore } = await import("../../state/pg-backend.js");
  const { pgTarget } = await import("../../state/pg-connect.js");
  const store = await pgStore(pgTarget(pg.state, io.env), pg.stack);
  return RecordedState.fromRecords(store.describe(), { ...(await store.ofKind("cm-index")), ...(await store.ofKind("cm")) });
}

/** Prints the inventory (`--list`) or one host's variables (`--host H`, `{}` for an unknown host, as Ansible expects). */
export async function inventoryCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  if (!opts.list === !opts.host) throw new UsageError("bootplan inventory needs exactly one of --list or --host HOST");
  const pg = opts.state ? undefined : await postgresState(dir);
  const state = pg ? await recordedFromPostgres(pg, io) : await RecordedState.openSettled(await locateState(dir, opts.state));
  const cm = chooseCm(state, "ansible", "ansible", opts.cmSystem);
  if (opts.host) {
    const system = cm.nodes[opts.host];
    const rec = system ? state.record(`cm.${cm.name}.${system}`) : undefined;
    io.out(JSON.stringify(rec ? hostDocument(hostOf(rec)) : {}, null, 2) + "\n");
    return 0;
  }
  const all = state.all();
  const hosts = Object.values(cm.nodes).map((system) => {
    const rec = all[`cm.${cm.name}.${system}`];
    if (!rec) throw new CmLookupError("cm.bad-state", `cm.${cm.name}.${system}: listed by cm.${cm.name} but not recorded; run bootplan apply`);
    return hostOf(rec);
  });
  io.out(JSON.stringify(listDocument(cm.settings, hosts), null, 2) + "\n");
  return 0;
}
