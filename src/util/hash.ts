/** Content hashes: sha256 in hex, as recorded in state, fingerprints and plans. */
import { createHash } from "node:crypto";

/** sha256 of a string or bytes, hex. */
export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
