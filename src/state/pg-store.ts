/**
 * The PostgreSQL state backend: one row per resource, one per operation, a stacks row with lineage and
 * serial. An apply commits each completed operation before reporting it done (a single statement that
 * bumps the serial, writes the resource and closes its journal row; operations completing together
 * share one), so a crash of bootplan or of the database loses nothing completed and never leaves a
 * serial that does not match the rows.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { InternalError, StateError } from "../errors.js";
import { applyEvent } from "./journal.js";
import { ensureSchema, ident } from "./pg-schema.js";
import { describePgState, pgError, type PgTarget } from "./pg-connect.js";
import { fromRow, resourceColumns, toRow, type ResourceRow } from "./pg-rows.js";
import type { PgStatePrefetch } from "./pg-prefetch.js";
import { documentOf, readSnapshot, recordsArriving, stampSql } from "./pg-snapshot.js";
import { GroupCommit } from "./group-commit.js";
import { checkResourceRecord } from "./schema.js";
import type { PendingOperation, ResourceRecord, StateDocument, StateStore, StateWriter } from "./types.js";

/** Stores a stack's state in a PostgreSQL schema shared by every runner of the stack. */
export class PgStateStore implements StateStore {
  private ready?: Promise<void>;
  /** What the last read() returned, handed to the next writer() so an apply does not read the state twice. */
  private lastRead?: StateDocument;
  /** A snapshot read before the lock, for the next read() (see pg-prefetch.ts). */
  private prefetch?: PgStatePrefetch;

  constructor(
    /** Connections for reads and writes (the lock has its own). */
    readonly pool: pg.Pool,
    readonly target: PgTarget,
    readonly stackName: string,
    /** Connections that commit without waiting for the disk: for journaling an operation's start only. */
    readonly asyncPool: pg.Pool = pool,
  ) {}

  /** The quoted schema, for SQL. */
  get S(): string {
    return ident(this.target.schema);
  }

  /** Where this state lives, for messages. */
  describe(): string {
    return describePgState(this.target, this.stackName);
  }

  /** Runs `fn` on a pooled connection once the tables exist; database failures become one-line StateErrors. */
  async use<T>(what: string, fn: (c: pg.PoolClient) => Promise<T>, pool = this.pool): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw pgError(this.target, "connecting", err);
    }
    try {
      this.ready ??= ensureSchema(client, this.target.schema).catch((err) => {
        this.ready = undefined;
        throw err;
      });
      await this.ready;
      return await fn(client);
    } catch (err) {
      throw pgError(this.target, what, err);
    } finally {
      client.release();
    }
  }

  /** The recorded state, read in one consistent snapshot; an empty one (new lineage) when none exists. */
  async read(): Promise<StateDocument> {
    this.lastRead = (await this.prefetched()) ?? (await this.readNow());
    return this.lastRead;
  }

  /** The recorded state with only the resources at `addresses`: a saved plan's apply reads its own rows, not the fleet's. */
  async readFor(addresses: Iterable<string>): Promise<StateDocument> {
    this.lastRead = await this.readNow([...addresses]);
    return this.lastRead;
  }

  /** Has the next read() take `prefetch`'s snapshot if nothing changed since it was taken. */
  adopt(prefetch: PgStatePrefetch): void {
    if (prefetch.reads(this.target, this.stackName)) this.prefetch = prefetch;
  }

  /** The adopted prefetch's state when the stack's stamp is still the snapshot's (read once: later reads see writes). */
  private async prefetched(): Promise<StateDocument | undefined> {
    const snap = await this.prefetch?.snapshot;
    this.prefetch = undefined;
    if (!snap) return undefined;
    const now = await this.use("reading the state", async (c) => (await c.query<{ stamp: string }>(stampSql(this.S), [this.stackName])).rows[0]?.stamp ?? "none");
    return now === snap.head.stamp ? documentOf(snap.head, snap.resources, this.stackName) : undefined;
  }

  private async readNow(only?: string[]): Promise<StateDocument> {
    return this.use("reading the state", async (c) => {
      const { runs, ...head } = await readSnapshot(c, this.S, this.stackName, only);
      return documentOf(head, await recordsArriving(runs), this.stackName);
    });
  }

  /** Lets go of the document read() keeps for the next writer(), as FileStateStore.forgetRead does. */
  forgetRead(): void {
    this.lastRead = undefined;
  }

  /** Starts recording on top of the state last read (under the lock): creates the stack's row, and refuses if another run moved it on. */
  async writer(): Promise<StateWriter> {
    const doc = this.lastRead ?? (await this.readNow());
    this.lastRead = undefined;
    await this.use("opening the state for writing", async (c) => {
      await c.query(`INSERT INTO ${this.S}.stacks (name, lineage, serial) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [this.stackName, doc.lineage, doc.serial]);
      const now = await c.query<{ lineage: string; serial: string }>(`SELECT lineage, serial FROM ${this.S}.stacks WHERE name = $1`, [this.stackName]);
      const row = now.rows[0];
      if (row.lineage !== doc.lineage || Number(row.serial) !== doc.serial) {
        throw new StateError("state.changed", `the state in ${this.describe()} changed since it was read (serial ${doc.serial}, now ${row.serial}); run bootplan again`);
      }
    });
    return new PgStateWriter(this, doc);
  }

  /** The key secrets' digests are made with: one per stack, shared by every runner (created on first use). */
  async digestKey(): Promise<string> {
    return this.use("reading the digest key", async (c) => {
      await c.query(`INSERT INTO ${this.S}.digest_keys (stack, key) VALUES ($1, $2) ON CONFLICT (stack) DO NOTHING`, [this.stackName, randomBytes(32).toString("hex")]);
      return (await c.query<{ key: string }>(`SELECT key FROM ${this.S}.digest_keys WHERE stack = $1`, [this.stackName])).rows[0].key;
    });
  }

  /** Sets the digest key (state migrate carries it over, so recorded digests stay valid). */
  async setDigestKey(key: string): Promise<void> {
    await this.use("writing the digest key", (c) =>
      c.query(`INSERT INTO ${this.S}.digest_keys (stack, key) VALUES ($1, $2) ON CONFLICT (stack) DO UPDATE SET key = EXCLUDED.key`, [this.stackName, key]));
  }

  /** Whether the stack has a recorded state here. */
  async exists(): Promise<boolean> {
    return this.use("reading the state", async (c) => (await c.query(`SELECT 1 FROM ${this.S}.stacks WHERE name = $1`, [this.stackName])).rows.length > 0);
  }

  /** Replaces the whole state in one transaction (state migrate): readers see the old one or the new one. */
  async replace(doc: StateDocument): Promise<void> {
    await this.use("writing the state", async (c) => {
      await c.query("BEGIN");
      try {
        await c.query(`DELETE FROM ${this.S}.stacks WHERE name = $1`, [this.stackName]);
        await c.query(`INSERT INTO ${this.S}.stacks (name, lineage, serial) VALUES ($1, $2, $3)`, [this.stackName, doc.lineage, doc.serial]);
        const entries = Object.entries(doc.resources);
        for (let i = 0; i < entries.length; i += 500) {
          const params: unknown[] = [];
          const values = entries.slice(i, i + 500).map(([address, rec]) => {
            const r = toRow(rec);
            const n = params.push(this.stackName, address, rec.kind, rec.id, r.digest, r.outputs, r.fileHashes, r.dependsOn, r.extra, r.node);
            return `(${Array.from({ length: 10 }, (_, k) => `$${n - 9 + k}`).join(", ")})`;
          });
          await c.query(`INSERT INTO ${this.S}.resources (stack, address, kind, id, inputs_digest, outputs, file_hashes, depends_on, extra, node) VALUES ${values.join(", ")}`, params);
        }
        for (const p of doc.pending) {
          await c.query(`INSERT INTO ${this.S}.operations (stack, address, action, started_at) VALUES ($1, $2, $3, $4)`, [this.stackName, p.address, p.action, p.startedAt]);
        }
        await c.query("COMMIT");
      } catch (err) {
        await c.query("ROLLBACK").catch(() => undefined);
        throw err;
      }
    });
  }

  /** Creates or migrates the tables when they are not this bootplan's version (refusing a newer one). */
  async prepare(): Promise<void> {
    await this.use("preparing the tables", async () => undefined);
  }

  /** Resources of one kind (e.g. the CM indexes), by address. */
  async ofKind(kind: string): Promise<Record<string, ResourceRecord>> {
    return this.use("reading the state", async (c) => {
      const r = await c.query<ResourceRow>(
        `SELECT ${resourceColumns()} FROM ${this.S}.resources WHERE stack = $1 AND kind = $2 ORDER BY address`, [this.stackName, kind]);
      return Object.fromEntries(r.rows.map((row) => [row.address, fromRow(row)]));
    });
  }

  /** One resource by address. */
  async one(address: string): Promise<ResourceRecord | undefined> {
    return this.use("reading the state", async (c) => {
      const r = await c.query<ResourceRow>(
        `SELECT ${resourceColumns()} FROM ${this.S}.resources WHERE stack = $1 AND address = $2`, [this.stackName, address]);
      return r.rows[0] ? fromRow(r.rows[0]) : undefined;
    });
  }

  /** @internal SQL of the writer's statements, built once per store. */
  readonly sql = {
    /**
     * Journals the start of a batch of operations, in order: an operation's earlier row left open (by a
     * crash) is marked abandoned. $1 stack, $2.. one array per column (address, action, start time).
     */
    begin: () => `WITH v AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(address, action, started_at, ord)),
      a AS (UPDATE ${this.S}.operations SET outcome = 'abandoned', completed_at = now()
        WHERE stack = $1 AND outcome IS NULL AND address IN (SELECT address FROM v))
      INSERT INTO ${this.S}.operations (stack, address, action, started_at) SELECT $1, address, action, started_at FROM v ORDER BY ord`,
    /**
     * Records a batch of completed operations in one statement, so in one transaction: bumps the serial
     * by their number ($3), writes (kind not null) or deletes (kind null) each resource row, and closes
     * each operation's journal row with its own serial, in the batch's order. $1 stack, $2 lineage,
     * $4.. one array per column (address, action when no begin row exists, kind, id, digest, outputs,
     * file hashes, dependencies, node, extra). Returns no row when the lineage is gone.
     */
    batch: () => `WITH s AS (UPDATE ${this.S}.stacks SET serial = serial + $3, updated_at = now() WHERE name = $1 AND lineage = $2 RETURNING serial),
      v AS (SELECT t.*, (SELECT serial FROM s) - $3 + t.ord AS op_serial
        FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
          WITH ORDINALITY AS t(address, action, kind, id, digest, outputs, file_hashes, depends_on, node, extra, ord)
        WHERE EXISTS (SELECT 1 FROM s)),
      r AS (INSERT INTO ${this.S}.resources (stack, address, kind, id, inputs_digest, outputs, file_hashes, depends_on, node, extra)
        SELECT $1, address, kind, id, digest, outputs, file_hashes, depends_on, node, extra FROM v WHERE kind IS NOT NULL
        ON CONFLICT (stack, address) DO UPDATE SET kind = EXCLUDED.kind, id = EXCLUDED.id, inputs_digest = EXCLUDED.inputs_digest,
          outputs = EXCLUDED.outputs, file_hashes = EXCLUDED.file_hashes, depends_on = EXCLUDED.depends_on, node = EXCLUDED.node, extra = EXCLUDED.extra),
      d AS (DELETE FROM ${this.S}.resources WHERE stack = $1 AND address IN (SELECT address FROM v WHERE kind IS NULL)),
      o AS (UPDATE ${this.S}.operations op SET outcome = 'done', completed_at = now(), serial = v.op_serial
        FROM v WHERE op.stack = $1 AND op.address = v.address AND op.outcome IS NULL RETURNING op.address),
      i AS (INSERT INTO ${this.S}.operations (stack, address, action, started_at, completed_at, outcome, serial)
        SELECT $1, v.address, v.action, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), now(), 'done', v.op_serial
        FROM v WHERE v.address NOT IN (SELECT address FROM o))
      SELECT serial FROM s`,
  };
}

/** An operation whose start waits to be journaled. */
interface Started {
  address: string;
  action: PendingOperation["action"];
  startedAt: string;
}

/** A completed operation waiting for its commit: a record (with its row) or a removal (row undefined). */
interface Completed {
  address: string;
  rec?: ResourceRecord;
  row?: ReturnType<typeof toRow>;
}

/** What a batch's statement does, for its error message: "recording X" or "recording X and N more". */
function batchWhat(verb: string, batch: { address: string }[]): string {
  return batch.length === 1 ? `${verb} ${batch[0].address}` : `${verb} ${batch[0].address} and ${batch.length - 1} more`;
}

/**
 * Records one apply. Each completed operation is committed before its record() resolves, so before
 * apply reports it done. Operations that complete while a commit is in flight share the next one (a
 * group commit): with --parallelism 10 a first apply pays one round trip per batch, not per resource,
 * and a crash still loses no operation reported done.
 */
class PgStateWriter implements StateWriter {
  /** Begin rows in flight, by address: a record waits for its begin so the journal stays in order. */
  private readonly begins = new Map<string, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private failure: unknown;
  /** Starts and completions, each written in batches while the previous batch is in flight. */
  private readonly starts = new GroupCommit<Started>((batch) => this.journalStarts(batch));
  private readonly completions = new GroupCommit<Completed>((batch) => this.commitBatch(batch));

  constructor(
    private readonly store: PgStateStore,
    private readonly doc: StateDocument,
  ) {}

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    void p.catch(() => undefined).finally(() => this.inFlight.delete(p));
    return p;
  }

  /** Journals the start without waiting for it: it only marks the operation pending, and its record waits for it. */
  begin(address: string, action: PendingOperation["action"]): void {
    const startedAt = new Date().toISOString();
    applyEvent(this.doc, { op: "begin", address, action, startedAt });
    const p = this.track(this.starts.add({ address, action, startedAt }));
    p.catch((err) => (this.failure ??= err));
    this.begins.set(address, p);
  }

  private async journalStarts(batch: Started[]): Promise<void> {
    await this.store.use(batchWhat("journaling", batch), (c) => c.query(this.store.sql.begin(), [
      this.doc.stack, batch.map((b) => b.address), batch.map((b) => b.action), batch.map((b) => b.startedAt),
    ]), this.store.asyncPool);
  }

  /** Commits one batch; when the stack's lineage is gone (the state was replaced meanwhile), each operation fails saying so. */
  private async commitBatch(batch: Completed[]): Promise<unknown[] | void> {
    for (const c of batch) {
      const begun = this.begins.get(c.address);
      this.begins.delete(c.address);
      if (begun) await begun;
    }
    const column = (f: (c: Completed) => string | null | undefined): (string | null)[] => batch.map((c) => f(c) ?? null);
    const r = await this.store.use(batchWhat("recording", batch), (c) => c.query<{ serial: string }>(this.store.sql.batch(), [
      this.doc.stack, this.doc.lineage, batch.length,
      column((c) => c.address), column((c) => (c.rec ? "update" : "delete")), column((c) => c.rec?.kind), column((c) => c.rec?.id),
      column((c) => c.row?.digest), column((c) => c.row?.outputs), column((c) => c.row?.fileHashes), column((c) => c.row?.dependsOn),
      column((c) => c.row?.node), column((c) => c.row?.extra),
    ]));
    if (!r.rows.length) {
      return batch.map((c) => new StateError("state.changed", `${c.address}: the state in ${this.store.describe()} was replaced during this apply (lineage ${this.doc.lineage} is gone); run bootplan plan`));
    }
    for (const c of batch) applyEvent(this.doc, c.rec ? { op: "record", address: c.address, rec: c.rec } : { op: "remove", address: c.address });
  }

  async record(address: string, rec: ResourceRecord): Promise<void> {
    const copy = JSON.parse(JSON.stringify(rec)) as ResourceRecord;
    const cause = checkResourceRecord(address, copy);
    if (cause) throw new InternalError(`refusing to record an invalid resource: ${cause}`);
    await this.completions.add({ address, rec: copy, row: toRow(copy) });
  }

  async remove(address: string): Promise<void> {
    await this.completions.add({ address });
  }

  /** Waits for every statement in flight; each completed operation is already committed. */
  async commit(): Promise<StateDocument> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    if (this.failure) throw this.failure;
    return this.doc;
  }

  current(): StateDocument {
    return this.doc;
  }
}
