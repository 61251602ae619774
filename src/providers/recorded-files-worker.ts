/** The worker thread of recorded-files.ts: one check, answered once. */
import { parentPort, workerData } from "node:worker_threads";
import { checkRecordedFiles, type RecordedFilesRequest } from "./recorded-files.js";

parentPort!.postMessage(checkRecordedFiles(workerData as RecordedFilesRequest));
