/**
 * The recorded hash of each file a resource wrote. The state keeps every rendered file's digest
 * (`fileDigests`: sha256 of the text as rendered, secrets as markers, base64url), and `fileHashes`
 * (sha256 of the bytes on disk, hex) only for the files whose bytes are not that text: those with
 * secrets put in, and hosted files that have no rendered text (kernels, boot loaders). Every other
 * file's bytes are its rendered text, so its digest is its hash: storing both doubled a state's file
 * records (a CM handoff's entirely) for nothing. States that record every hash read the same.
 */

type Props = Record<string, unknown>;
type Hashes = Record<string, string | null>;

/** The recorded digests only (file-digests.ts's digestsOf would compute them from recorded text). */
function recordedDigests(props: Props): Record<string, string> | undefined {
  return props.fileDigests as Record<string, string> | undefined;
}

/** The digest (base64url) of bytes whose sha256 is `hex`, and back: one sha256 in two encodings. */
const digestOfHex = (hex: string): string => Buffer.from(hex, "hex").toString("base64url");
const hexOfDigest = (digest: string): string => Buffer.from(digest, "base64url").toString("hex");

/** The root-relative paths of every file the record holds. */
export function recordedPaths(props: Props): string[] {
  const digests = recordedDigests(props);
  const hashes = props.fileHashes as Hashes | undefined;
  if (!digests) return hashes ? Object.keys(hashes) : [];
  const paths = Object.keys(digests);
  for (const p in hashes) if (!(p in digests)) paths.push(p);
  return paths;
}

/** The sha256 (hex) of each recorded file's bytes, whichever way the record keeps it. */
export function recordedHashes(props: Props): Hashes {
  const digests = recordedDigests(props);
  const hashes = props.fileHashes as Hashes | undefined;
  if (!digests) return hashes ?? {};
  const out: Hashes = {};
  for (const p in digests) out[p] = hexOfDigest(digests[p]);
  for (const p in hashes) out[p] = hashes[p];
  return out;
}

/**
 * What to record of `hashes` (the files just written) beside their `digests`: the hashes that are not
 * their file's digest, or undefined when there are none.
 */
export function hashesToRecord(hashes: Record<string, string>, digests: Record<string, string> | undefined): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const p in hashes) {
    const d = digests?.[p];
    if (d !== undefined && d === digestOfHex(hashes[p])) continue;
    (out ??= Object.create(null) as Record<string, string>)[p] = hashes[p];
  }
  return out;
}

/**
 * Outputs with only the hashes worth recording (`hashesToRecord`): how a record written before hashes
 * were deduplicated sheds its duplicates the next time it is written, bookkeeping included.
 */
export function withoutDuplicateHashes(props: Props): Props {
  const hashes = props.fileHashes as Record<string, string> | undefined;
  const digests = recordedDigests(props);
  if (!hashes || !digests) return props;
  const own = hashesToRecord(hashes, digests);
  if (own && Object.keys(own).length === Object.keys(hashes).length) return props;
  const { fileHashes: _all, ...rest } = props;
  return own ? { ...rest, fileHashes: own } : rest;
}

/**
 * An object that stands for one record's files for as long as the record is read (the prefetch of a
 * refresh looks its stat digests up by it): the record's own hash or digest map.
 */
export function filesKey(props: Props): object | undefined {
  return (props.fileHashes ?? props.fileDigests) as object | undefined;
}
