/**
 * One request answered by a worker thread, so the calling thread can work meanwhile. Purely an
 * optimisation: when the worker's compiled file is missing (running from sources) or it fails, the
 * answer is undefined and the caller works it out itself.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/** A request under way in a worker thread. */
export class WorkerTask<Answer> {
  private constructor(
    /** The worker's answer; undefined when it could not give one. */
    readonly answer: Promise<Answer | undefined>,
    private readonly worker?: Worker,
  ) {}

  /** No worker: the caller works the answer out itself. */
  static none<Answer>(): WorkerTask<Answer> {
    return new WorkerTask<Answer>(Promise.resolve(undefined));
  }

  /** Starts the worker module `file` (it answers `workerData` with one message and ends). */
  static start<Answer>(file: URL, request: unknown): WorkerTask<Answer> {
    const path = fileURLToPath(file);
    if (!existsSync(path)) return WorkerTask.none();
    const worker = new Worker(path, { workerData: request });
    const answer = new Promise<Answer | undefined>((resolve) => {
      worker.once("message", (m: Answer) => resolve(m));
      worker.once("error", () => resolve(undefined));
      worker.once("exit", () => resolve(undefined));
      // Not unref'd: a caller that needs the answer before it comes must wait for it, not exit.
    });
    return new WorkerTask(answer, worker);
  }

  /** Stops the worker when its answer is no longer wanted: the process need not wait for it. */
  cancel(): void {
    void this.worker?.terminate();
  }
}
