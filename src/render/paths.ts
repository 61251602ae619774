/**
 * Where each rendered file lives under the provisioning root. Names and MACs are checked here again,
 * although the stack schema already restricts them: a path that leaves the root is never produced.
 */
import { PathEscapeError } from "../errors.js";
import { pxeMacName } from "../util/net.js";

// The stack schema's name rule: no '/', '\\', '..' or leading '.', so a name is always one path segment.
const NAME = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Returns the name when it is a safe single path segment; throws PathEscapeError otherwise. */
export function safeName(name: string, what: string): string {
  if (!NAME.test(name)) throw new PathEscapeError(`${what} ${JSON.stringify(name)} cannot be used in a file name`);
  return name;
}

/** Returns a normalised MAC (lowercase, colons); throws PathEscapeError for anything else. */
export function safeMac(mac: string): string {
  if (!MAC.test(mac)) throw new PathEscapeError(`MAC ${JSON.stringify(mac)} is not in normalised form (52:54:00:12:34:01)`);
  return mac;
}

/** `tftp/pxelinux.cfg/01-<mac with dashes>`: the first name PXELINUX tries for a client. */
export function pxelinuxPath(mac: string): string {
  return `tftp/pxelinux.cfg/${pxeMacName(safeMac(mac))}`;
}

/** `tftp/grub/grub.cfg-01-<mac with dashes>`: the per-MAC config GRUB's net boot looks for. */
export function grubPath(mac: string): string {
  return `tftp/grub/grub.cfg-${pxeMacName(safeMac(mac))}`;
}

/** `http/ipxe/<mac with dashes>.ipxe`. */
export function ipxePath(mac: string): string {
  return `http/ipxe/${safeMac(mac).replace(/:/g, "-")}.ipxe`;
}

/** `tftp/images/<distro>/<file>`: where the engine copies a hosted kernel or initrd. */
export function hostedImagePath(distroName: string, file: "linux" | "initrd"): string {
  return `tftp/images/${safeName(distroName, "distro name")}/${file}`;
}

/** A hosted boot file's path relative to the TFTP root, as the boot loaders ask for it. */
export function hostedImageTftpPath(distroName: string, file: "linux" | "initrd"): string {
  return hostedImagePath(distroName, file).slice("tftp/".length);
}

/** The URL `bootplan serve` serves a hosted boot file at (`<server>/images/<distro>/<file>`), for loaders that speak HTTP. */
export function hostedImageUrl(serverUrl: string, distroName: string, file: "linux" | "initrd"): string {
  return `${serverUrl}/${hostedImageTftpPath(distroName, file)}`;
}

/** `http/answers/<system>.cfg` (kickstart, preseed). */
export function answerFilePath(systemName: string): string {
  return `http/answers/${safeName(systemName, "system name")}.cfg`;
}

/** `http/answers/<system>/`: the NoCloud seed directory of an autoinstall system (user-data, meta-data). */
export function nocloudDir(systemName: string): string {
  return `http/answers/${safeName(systemName, "system name")}/`;
}
