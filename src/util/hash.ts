/** Content hashes: sha256 in hex (as recorded in state, fingerprints and plans) or base64url (digests, keys). */
import * as crypto from "node:crypto";

type Encoding = "hex" | "base64url";

// One-shot hashing (Node >= 20.12) is 2-3x faster than a Hash object for short texts, which is what the
// per-system keys and digests of a large fleet are.
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer, enc: Encoding) => string }).hash;

/** sha256 of a string or bytes in `encoding`. */
export function sha256(data: string | Buffer, encoding: Encoding): string {
  return oneShot ? oneShot("sha256", data, encoding) : crypto.createHash("sha256").update(data).digest(encoding);
}

/** sha256 of a string or bytes, hex. */
export function sha256Hex(data: string | Buffer): string {
  return sha256(data, "hex");
}
