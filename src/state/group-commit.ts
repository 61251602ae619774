/**
 * Group commit: items queued while a batch is being written go into the next batch, so a database
 * writer pays one round trip (and one WAL flush) per batch, however many operations finish at once,
 * and each item's promise still settles only once its own batch is written.
 */
export class GroupCommit<T> {
  private waiting: { item: T; done: () => void; failed: (err: unknown) => void }[] = [];
  private draining?: Promise<void>;

  constructor(
    /** Writes one batch: resolves to each item's error (undefined when written), or throws to fail them all. */
    private readonly write: (items: T[]) => Promise<unknown[] | void>,
    /** Most items in one batch: enough for any --parallelism, few enough for a short transaction. */
    private readonly max = 256,
  ) {}

  /** Queues `item`; resolves once the batch holding it is written. */
  add(item: T): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.waiting.push({ item, done, failed });
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.max);
      try {
        const errors = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => (errors?.[i] === undefined ? w.done() : w.failed(errors[i])));
      } catch (err) {
        for (const w of batch) w.failed(err);
      }
    }
  }
}
