/**
 * `bootplan enc FQDN [DIR]`: prints a node's Puppet ENC YAML as recorded by the last apply, for use as
 * Puppet's `external_nodes` command (Puppet appends the certname as the last argument). Exits 1 for
 * a node no Puppet CM system received. Kept light: it runs once per Puppet agent run.
 */
import { CmLookupError } from "../../cm/errors.js";
import { locateState } from "../../cm/state-locate.js";
import { chooseCm, RecordedState } from "../../cm/state-read.js";
import { encText, lookUpEncIndex, nodeEncText, puppetHandoffs } from "../../cm/enc-index.js";
import type { StateSettings } from "../../model/stack.js";
import { postgresState } from "../pg-state.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";

/** Prints the ENC document of `fqdn`; returns the exit code. */
export async function encCommand(fqdn: string, dir: string, opts: Pick<CliConfig, "state" | "cmSystem">, io: Io): Promise<number> {
  const pg = opts.state ? undefined : await postgresState(dir);
  if (pg) return encFromPostgres(fqdn, pg, opts, io);
  const statePath = await locateState(dir, opts.state);
  // Fastest: the index the last commit wrote beside the state, when it vouches for the state as it is.
  const indexed = lookUpEncIndex(statePath, fqdn)?.filter((e) => !opts.cmSystem || e.cm === opts.cmSystem);
  if (indexed?.length === 1) {
    io.out(indexed[0].enc);
    return 0;
  }
  const state = await RecordedState.openSettled(statePath);
  // Quick path: the one Puppet handoff recorded with this node's ENC file; anything else (none, several,
  // a CM system named) goes through the CM systems' node directories, which also words the errors.
  const quick = puppetHandoffs(state.handoffsWithFile(`/nodes/${fqdn}.yaml`), opts.cmSystem);
  const text = quick.length === 1 ? encText(quick[0].rec, quick[0].path) : undefined;
  if (text !== undefined) {
    io.out(text);
    return 0;
  }
  const cm = chooseCm(state, "puppet", "puppet", opts.cmSystem, fqdn);
  const system = cm.nodes[fqdn];
  if (!system) throw new CmLookupError("cm.unknown-node", `${fqdn}: not a node of puppet CM system ${cm.name} in ${state.path}`);
  const address = `cm.${cm.name}.${system}`;
  const rec = state.record(address);
  const enc = rec && encText(rec, `${cm.output}/nodes/${fqdn}.yaml`);
  if (enc === undefined) throw new CmLookupError("cm.bad-state", `${address}: the state records no ENC document for ${fqdn}; run bootplan apply`);
  io.out(enc);
  return 0;
}

/**
 * Answers from a PostgreSQL state with one indexed query for the node's handoffs, loading only what
 * that query needs; a schema this bootplan must first create or migrate is prepared by the store first.
 */
async function encFromPostgres(fqdn: string, pg: { stack: string; state: StateSettings }, opts: Pick<CliConfig, "cmSystem">, io: Io): Promise<number> {
  const { describePgState, pgTarget } = await import("../../state/pg-connect.js");
  const target = pgTarget(pg.state, io.env);
  const { handoffsOfNode } = await import("../../state/pg-lookup.js");
  let found = await handoffsOfNode(target, pg.stack, fqdn);
  if (!found) {
    const { pgStore } = await import("../../state/pg-backend.js");
    await (await pgStore(target, pg.stack)).prepare();
    found = (await handoffsOfNode(target, pg.stack, fqdn)) ?? [];
  }
  const hits = puppetHandoffs(found, opts.cmSystem);
  if (!hits.length) throw new CmLookupError("cm.unknown-node", `${fqdn}: not a node of ${opts.cmSystem ? `puppet CM system ${opts.cmSystem}` : "any puppet CM system"} in ${describePgState(target, pg.stack)}`);
  if (hits.length > 1) throw new CmLookupError("cm.ambiguous", `${fqdn}: several puppet CM systems could answer (${hits.map((h) => h.rec.outputs.cm).join(", ")}); choose one with --cm-system NAME`);
  const enc = nodeEncText(hits[0].rec, fqdn);
  if (enc === undefined) throw new CmLookupError("cm.bad-state", `${hits[0].address}: the state records no ENC document for ${fqdn}; run bootplan apply`);
  io.out(enc);
  return 0;
}
