/**
 * `bootplan state migrate DIR --to postgres|file`: copies a stack's state between its file and its
 * PostgreSQL database exactly (lineage, serial, resources, pending operations, and the key of the
 * secrets' digests), holding both locks, and proves the copy by reading it back and comparing digests.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { StateError } from "../errors.js";
import type { StateSettings } from "../model/stack.js";
import { fileBackend, type HeldLock } from "./backend.js";
import { stateDigest } from "./digest.js";
import type { CommitFollower, FileStateStore } from "./file-store.js";
import { pgBackend } from "./pg-backend.js";
import type { PgStateStore } from "./pg-store.js";
import type { StateDocument } from "./types.js";

/** What a migration did. */
export interface MigrateResult {
  from: string;
  to: string;
  resources: number;
  serial: number;
  lineage: string;
  digest: string;
}

/** Copies the state of `stackName` to the backend `to`; the other one is the source. */
export async function migrateState(settings: StateSettings, stackName: string, to: "postgres" | "file", env: NodeJS.ProcessEnv, { force = false, follower }: { force?: boolean; follower?: CommitFollower } = {}): Promise<MigrateResult> {
  if (!settings.url) throw new StateError("state.url-missing", "state migrate needs the database: add url: {env: VAR} (and optionally schema:) under state: in stack.yaml");
  const file = fileBackend(settings.path, stackName, follower);
  const pg = await pgBackend(settings, stackName, env);
  const fileStore = file.store as FileStateStore;
  const pgStore = pg.store as PgStateStore;
  const [src, dst] = to === "postgres" ? [file, pg] : [pg, file];
  const locks: HeldLock[] = [];
  /** Writes `doc` to the destination; what it was (its digest taken first), for the result. */
  const copyDocument = async (doc: StateDocument): Promise<Omit<MigrateResult, "from" | "to">> => {
    const digest = stateDigest(doc);
    const keyFile = `${settings.path}.key`;
    if (to === "postgres") {
      await pgStore.replace(doc);
      if (existsSync(keyFile)) await pgStore.setDigestKey(readFileSync(keyFile, "utf8").trim());
    } else {
      fileStore.writeDocument(doc);
      writeFileSync(keyFile, (await pgStore.digestKey()) + "\n", { mode: 0o600 });
    }
    return { resources: Object.keys(doc.resources).length, serial: doc.serial, lineage: doc.lineage, digest };
  };
  try {
    locks.push(await src.lock("bootplan state migrate", {}), await dst.lock("bootplan state migrate", {}));
    if (existsSync(fileStore.journalPath)) {
      throw new StateError("state.migrate-journal", `${fileStore.journalPath} holds an interrupted apply; run bootplan apply (or move the journal away) before migrating`);
    }
    const srcExists = to === "postgres" ? existsSync(settings.path) : await pgStore.exists();
    if (!srcExists) throw new StateError("state.migrate-empty", `${src.describe()} holds no state for stack ${stackName}: nothing to migrate`);
    const dstExists = to === "postgres" ? await pgStore.exists() : existsSync(settings.path);
    if (dstExists && !force) throw new StateError("state.migrate-target-exists", `${dst.describe()} already holds a state for stack ${stackName}; pass --force to replace it`);
    const copied = await copyDocument(await src.store.read());
    // The source is let go before the copy is read back: a 100,000-system state is ~0.6 GiB of objects.
    (to === "postgres" ? fileStore : pgStore).forgetRead();
    const digest = stateDigest(await dst.store.read());
    if (digest !== copied.digest) throw new StateError("state.migrate-mismatch", `the copy in ${dst.describe()} reads back with digest ${digest}, not ${copied.digest}; the source is unchanged`);
    return { from: src.describe(), to: dst.describe(), ...copied };
  } finally {
    for (const l of locks.reverse()) await l.release();
  }
}

