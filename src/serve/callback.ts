/**
 * The install-done callback of `netboot: once` systems. The installed machine calls
 * `/install-done/<system>?token=…` at the end of its install; a valid token records the install in
 * the state as one operation under the state lock (as apply does) and rewrites the system's boot
 * configs to boot the local disk. Anything else changes nothing; the caller logs the outcome.
 */
import { addressOf } from "../graph/resource.js";
import { systemProvider } from "../providers/file-resource.js";
import { recordedText, withFileDigests } from "../providers/file-digests.js";
import { RUNTIME_INPUT, SECRET_INPUT, withoutTransient } from "../providers/types.js";
import { renderLocalBootConfigs } from "../render/system.js";
import { checkInstallToken, installTokenName } from "../secrets/install-token.js";
import type { Stack } from "../model/stack.js";
import type { StateStore } from "../state/types.js";

/** What the callback needs: the stack, its state (and how to lock it), the state key and the secrets files need. */
export interface CallbackContext {
  stack: Pick<Stack, "name" | "dir" | "systems" | "state" | "provisioningRoot">;
  store: StateStore;
  key: string;
  secrets: Record<string, string>;
  /** Runs `fn` holding the state lock. */
  withLock: <T>(fn: () => Promise<T>) => Promise<T>;
  now?: () => Date;
}

/** The outcome: an HTTP status and the one line logged (and sent back); never the token. */
export interface CallbackResult {
  status: number;
  message: string;
}

/** Handles one install-done call for `system` with `token` (possibly missing). */
export async function installDone(ctx: CallbackContext, system: string, token: string | undefined): Promise<CallbackResult> {
  const sys = Object.prototype.hasOwnProperty.call(ctx.stack.systems, system) ? ctx.stack.systems[system] : undefined;
  if (!sys) return { status: 404, message: `install-done for unknown system ${JSON.stringify(system)}: ignored` };
  if (!sys.netbootOnce) return { status: 409, message: `install-done for ${system}, which is not netboot: once: ignored` };
  if (!token || !checkInstallToken(ctx.key, ctx.stack.name, system, token)) {
    return { status: 403, message: `install-done for ${system} with a wrong or missing token: rejected, nothing changed` };
  }
  const address = addressOf("system", system);
  return ctx.withLock(async () => {
    const state = await ctx.store.read();
    const rec = state.resources[address];
    if (!rec) return { status: 409, message: `install-done for ${system}, which the state does not record (apply first): ignored` };
    const outs = rec.outputs;
    if (typeof outs.installedAt === "string") {
      return { status: 409, message: `install-done for ${system} replayed: its install was recorded at ${outs.installedAt}; nothing changed` };
    }
    const macs = ((outs.interfaces ?? []) as { mac: string }[]).map((i) => i.mac);
    // The answer file holds the token just verified; the provider needs it to write the file's bytes.
    const secrets = { ...ctx.secrets, [installTokenName(system)]: token };
    // The state keeps digests, not text: the other files are taken back from the root, as recorded.
    const files: Record<string, string> = { ...(outs.files as Record<string, string> | undefined) };
    for (const [rel, digest] of Object.entries((outs.fileDigests ?? {}) as Record<string, string>)) {
      const text = recordedText(ctx.stack.provisioningRoot, rel, digest, secrets);
      if (text === undefined) return { status: 409, message: `install-done for ${system}: ${rel} changed outside bootplan since it was applied; nothing changed (run bootplan apply)` };
      files[rel] = text;
    }
    for (const f of renderLocalBootConfigs(system, macs)) files[f.path] = f.content;
    const installedAt = (ctx.now?.() ?? new Date()).toISOString();
    const { fileDigests: _recorded, ...kept } = outs;
    const news = { ...kept, files, installedAt, netbootOnce: true };
    const writer = await ctx.store.writer();
    await writer.begin(address, "update");
    // The recorded root is relative to the stack: the provider resolves it against the stack directory.
    const runtime = { [RUNTIME_INPUT]: { base: ctx.stack.dir } };
    const r = await systemProvider.update(rec.id, { ...outs, ...runtime }, { ...news, ...runtime, [SECRET_INPUT]: secrets });
    await writer.record(address, { ...rec, outputs: withFileDigests(withoutTransient(r.outs ?? news)) });
    await writer.commit();
    return { status: 200, message: `install-done for ${system}: install recorded at ${installedAt}; its boot configs now boot the local disk` };
  });
}
