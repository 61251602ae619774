/** The state backend as the CLI opens it: a file state's commits keep the ENC index beside it up to date. */
import { patchEncIndex, writeEncIndex } from "../cm/enc-index.js";
import type { StateSettings } from "../model/stack.js";
import { openStateBackend, type StateBackend } from "../state/backend.js";
import type { CommitFollower } from "../state/file-store.js";
import type { PgStatePrefetch } from "../state/pg-prefetch.js";

/** The index `bootplan enc` answers from (cm/enc-index.ts), written or patched with each commit of a file state. */
export const encIndexFollower: CommitFollower = { wrote: writeEncIndex, patched: patchEncIndex };

/** Opens the state backend `settings` name, as every command that may commit must: with the ENC index following. */
export function openStackState(settings: StateSettings, stackName: string, env: NodeJS.ProcessEnv, prefetch?: PgStatePrefetch): Promise<StateBackend> {
  return openStateBackend(settings, stackName, env, { prefetch, follower: encIndexFollower });
}
