/**
 * The plan memo's check of the provisioning root (cli/plan-memo.ts): whether every recorded file is as
 * the memo found it (each record's stat digest), and which files the root holds that no record names.
 * The memo's list of files is read by the thread that checks it, a worker thread when its compiled file
 * is there: at 100,000 systems the list names 600,000 files, and the calling thread has a stack to load.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { WorkerTask } from "../util/worker-task.js";
import { findLeftovers, leftoversStand, type Leftovers } from "./leftovers.js";
import { statDigest } from "./stat-digest.js";

/** Below this many files the check runs on the calling thread. */
const WORKER_MIN_FILES = 1000;

/** The memo's file list on disk: each record's root (as recorded), stat digest ("" when its provider checks it) and files. */
export interface RecordedFileList {
  /** Matches the memo that names this list: a list from another memo is never used. */
  id: string;
  files: [root: string, stat: string, ...rels: string[]][];
  /** What the walk of the root found when the memo was made, with its folders' stamps. */
  walked?: Leftovers;
}

/** What to check: the list's file and id, the directory recorded roots resolve against, the provisioning root. */
export interface RecordedFilesRequest {
  path: string;
  id: string;
  base: string;
  root: string;
}

/** Whether every file is as recorded; if so, the root's leftovers. */
export interface RecordedFilesAnswer {
  unchanged: boolean;
  leftovers?: Leftovers;
}

/** Checks the files on the calling thread. */
export function checkRecordedFiles(req: RecordedFilesRequest): RecordedFilesAnswer {
  let list: RecordedFileList;
  try {
    list = JSON.parse(readFileSync(req.path, "utf8")) as RecordedFileList;
  } catch {
    return { unchanged: false };
  }
  if (list?.id !== req.id || !Array.isArray(list.files)) return { unchanged: false };
  const roots = new Map<string, string>();
  for (const [root, stat, ...rels] of list.files) {
    if (!stat) continue;
    let abs = roots.get(root);
    if (abs === undefined) roots.set(root, (abs = resolve(req.base, root)));
    if (statDigest(abs, rels) !== stat) return { unchanged: false };
  }
  // No folder of the root moved: no file came or went since the walk the memo kept.
  if (list.walked && leftoversStand(req.root, list.walked)) return { unchanged: true, leftovers: list.walked };
  const known = new Set<string>();
  for (const [, , ...rels] of list.files) for (const rel of rels) known.add(rel);
  return { unchanged: true, leftovers: findLeftovers(req.root, known) };
}

/** The check under way: in a worker thread, or on the calling thread when asked for if the worker could not run. */
export class RecordedFilesCheck {
  private constructor(
    private readonly req: RecordedFilesRequest,
    private readonly task: WorkerTask<RecordedFilesAnswer>,
  ) {}

  /** Starts the check in a worker thread, unless there are too few files to be worth starting one (~40 ms). */
  static start(req: RecordedFilesRequest, files: number): RecordedFilesCheck {
    const task = files < WORKER_MIN_FILES ? WorkerTask.none<RecordedFilesAnswer>() : WorkerTask.start<RecordedFilesAnswer>(new URL("./recorded-files-worker.js", import.meta.url), req);
    return new RecordedFilesCheck(req, task);
  }

  /** The answer. */
  async answer(): Promise<RecordedFilesAnswer> {
    return (await this.task.answer) ?? checkRecordedFiles(this.req);
  }

  /** Stops the worker: the answer is no longer wanted. */
  cancel(): void {
    this.task.cancel();
  }
}
