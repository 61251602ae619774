/** The file-writing half of the distro and system providers, kept out of the provider objects so they serialize. */
import { REPLACING_INPUT, SECRET_INPUT } from "./types.js";
import { copyVerified, readFileHashes, removeFileSet, writeFileSet } from "./fileset.js";
import { withFileDigests } from "./file-digests.js";

type Props = Record<string, unknown>;
type Hashes = Record<string, string | null>;

interface HostedFile {
  source: string;
  sha256: string;
  target: string;
}

/** The hosted files a resource copies into the root: a distro's kernel and initrd when not linked, a boot loader once its package is installed. */
function hostedFiles(props: Props): HostedFile[] {
  return ["kernel", "initrd", "loader"]
    .map((k) => props[k] as Partial<HostedFile> | undefined)
    .filter((f): f is HostedFile => !!f && typeof f.source === "string" && typeof f.sha256 === "string");
}

function withoutSecrets(props: Props): Props {
  const { [SECRET_INPUT]: _drop, [REPLACING_INPUT]: _flag, ...rest } = props;
  return rest;
}

/** Writes what `news` describes, skipping files already as recorded in `olds`, and removes files `news` no longer has. */
export function applyFiles(news: Props, olds?: Props): Props {
  const root = news.root as string;
  const recorded = (olds?.fileHashes ?? {}) as Hashes;
  const secrets = (news[SECRET_INPUT] ?? {}) as Record<string, string>;
  const hashes: Record<string, string> = writeFileSet(root, (news.files ?? {}) as Record<string, string>, secrets, recorded);
  for (const f of hostedFiles(news)) {
    hashes[f.target] = recorded[f.target] === f.sha256 && readFileHashes(root, [f.target])[f.target] === f.sha256
      ? f.sha256
      : copyVerified(root, f.source, f.target, f.sha256);
  }
  if (olds) {
    const gone = Object.fromEntries(Object.entries(recorded).filter(([p]) => !(p in hashes)));
    removeFileSet((olds.root as string) ?? root, gone);
  }
  // The state keeps each file's digest, not its text (rendered again whenever it must be written).
  return { ...withFileDigests(withoutSecrets(news)), fileHashes: hashes };
}

/** The recorded props with each file's hash as it is on disk now (null when missing). */
export function readFiles(props: Props): Props {
  const recorded = (props.fileHashes ?? {}) as Hashes;
  return { ...props, fileHashes: readFileHashes(props.root as string, Object.keys(recorded)) };
}

/** Removes the files a resource wrote, leaving any that someone else has since replaced. */
export function deleteFiles(props: Props): void {
  removeFileSet(props.root as string, (props.fileHashes ?? {}) as Hashes);
}
