/**
 * `bootplan enc`'s quick path. Puppet runs enc on every agent run, so the build bundles this module,
 * with node-postgres and js-yaml, into one script and records a V8 code cache for it
 * (scripts/bundle-enc.mjs): the launcher runs that before anything else. It answers only the common
 * case, one Puppet handoff found in the ENC index beside a file state or by one query of a PostgreSQL
 * state, and leaves the rest to the enc command (enc-fast), so the bundle holds none of the store, the
 * lock or the journal, and every error is worded as before.
 */
import { lookUpEncIndex, nodeEncText, puppetHandoffs } from "../cm/enc-index.js";
import { locateState } from "../cm/state-locate.js";
import { closePgConnections, loadPg, pgTarget } from "../state/pg-connect.js";
import { handoffsOfNode } from "../state/pg-lookup.js";
import { parseEncCall, printEncError, type EncCall } from "./enc-call.js";
import { processIo } from "./output.js";
import { postgresState } from "./pg-state.js";

/** The ENC YAML of the call's node when one Puppet handoff answers plainly; undefined to ask the enc command. */
export async function quickEncAnswer(call: EncCall, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const pg = call.opts.state ? undefined : await postgresState(call.dir);
  if (pg) {
    // undefined: a schema this bootplan must first create or migrate, which the store does.
    const found = await handoffsOfNode(pgTarget(pg.state, env), pg.stack, call.fqdn);
    const hits = found && puppetHandoffs(found, call.opts.cmSystem);
    return hits?.length === 1 ? nodeEncText(hits[0].rec, call.fqdn) : undefined;
  }
  const indexed = lookUpEncIndex(await locateState(call.dir, call.opts.state), call.fqdn)?.filter((e) => !call.opts.cmSystem || e.cm === call.opts.cmSystem);
  return indexed?.length === 1 ? indexed[0].enc : undefined;
}

/** Runs `enc` with `args` (after the word enc) when the quick path can answer; undefined otherwise. */
export async function encQuick(args: string[]): Promise<number | undefined> {
  const call = parseEncCall(args);
  if (!call) return undefined;
  const io = processIo();
  try {
    const text = await quickEncAnswer(call, io.env);
    if (text === undefined) return undefined;
    io.out(text);
    return 0;
  } catch (err) {
    printEncError(io, err);
    return 1;
  } finally {
    await closePgConnections();
  }
}

/** Loads the libraries the quick path uses without running it: the build records the code cache after this. */
export async function preloadEncQuick(): Promise<void> {
  loadPg();
  await import("js-yaml");
}
