/**
 * `bootplan enc FQDN [DIR]`: prints a node's Puppet ENC YAML as recorded by the last apply, for use as
 * Puppet's `external_nodes` command (Puppet appends the certname as the last argument). Exits 1 for
 * a node no Puppet CM system received. Kept light: it runs once per Puppet agent run.
 */
import { CmLookupError } from "../../cm/errors.js";
import { chooseCm, locateState, RecordedState } from "../../cm/state-read.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";

/** Prints the ENC document of `fqdn`; returns the exit code. */
export async function encCommand(fqdn: string, dir: string, opts: CliConfig, io: Io): Promise<number> {
  const state = await RecordedState.openSettled(await locateState(dir, opts.state));
  // Quick path: the one Puppet handoff recorded with this node's ENC file; anything else (none, several,
  // a CM system named) goes through the CM systems' node directories, which also words the errors.
  const quick = state.handoffsWithFile(`/nodes/${fqdn}.yaml`).filter((h) => h.rec.outputs.type === "puppet" && (!opts.cmSystem || h.rec.outputs.cm === opts.cmSystem));
  if (quick.length === 1) {
    io.out((quick[0].rec.outputs.files as Record<string, string>)[quick[0].path]);
    return 0;
  }
  const cm = chooseCm(state, "puppet", "puppet", opts.cmSystem, fqdn);
  const system = cm.nodes[fqdn];
  if (!system) throw new CmLookupError("cm.unknown-node", `${fqdn}: not a node of puppet CM system ${cm.name} in ${state.path}`);
  const address = `cm.${cm.name}.${system}`;
  const files = (state.record(address)?.outputs.files ?? {}) as Record<string, string>;
  const enc = files[`${cm.output}/nodes/${fqdn}.yaml`];
  if (enc === undefined) throw new CmLookupError("cm.bad-state", `${address}: the state records no ENC document for ${fqdn}; run bootplan apply`);
  io.out(enc);
  return 0;
}
