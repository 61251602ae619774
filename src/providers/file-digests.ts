/**
 * What the state keeps of a resource's rendered files: a digest per file (of the text as rendered, secrets
 * as markers) instead of the text. A 100,000-system state with every boot config and answer file in it
 * would not fit in one JavaScript string; the digests are enough to tell whether a file changed.
 */
import { readFileSync } from "node:fs";
import { secretMarker } from "../secrets/secrets.js";
import { sha256 } from "../util/hash.js";
import { pathInside } from "../util/safe-path.js";

type Props = Record<string, unknown>;

/** sha256 (base64url) of each file's rendered text. */
export function fileDigests(files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const path in files) out[path] = sha256(files[path], "base64url");
  return out;
}

/** The per-file digests of a resource's props: recorded ones, or computed from its rendered files. */
export function digestsOf(props: Props): Record<string, string> | undefined {
  if (props.fileDigests) return props.fileDigests as Record<string, string>;
  return props.files ? fileDigests(props.files as Record<string, string>) : undefined;
}

/** Outputs as recorded: the rendered files replaced by their digests. */
export function withFileDigests(props: Props): Props {
  if (!props.files) return props;
  const { files, ...rest } = props;
  return { ...rest, fileDigests: fileDigests(files as Record<string, string>) };
}

/**
 * The text a file had when it was recorded, read back from the provisioning root: secret values are put
 * back as markers, and the text is returned only when its digest is the recorded one (so it is exactly
 * what was rendered, and masks every secret); undefined when the file is gone, changed or unreadable.
 */
export function recordedText(root: string, rel: string, digest: string, secrets: Record<string, string>): string | undefined {
  let text: string;
  try {
    text = readFileSync(pathInside(root, rel), "utf8");
  } catch {
    return undefined;
  }
  for (const [name, value] of Object.entries(secrets)) if (value && text.includes(value)) text = text.split(value).join(secretMarker(name));
  return sha256(text, "base64url") === digest ? text : undefined;
}
