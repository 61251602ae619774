/** GRUB 2 (UEFI) configs, written in GRUB's shell-like script (GRUB manual, "Shell-like scripting"). */
import type { BootFile } from "../model/stack.js";
import { RenderError } from "./errors.js";
import { grubWord } from "./escape.js";
import { hostedImageTftpPath, hostedImageUrl } from "./paths.js";
import type { BootSpec } from "./types.js";

/** A linked URL as a GRUB file name: `(http,host[:port])/path` or `(tftp,host)/path`; GRUB has no https. */
export function grubUrlPath(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RenderError("render.bad-url", `boot file URL ${JSON.stringify(url)} is not a valid URL`);
  }
  const proto = u.protocol.slice(0, -1);
  if (proto !== "http" && proto !== "tftp") {
    throw new RenderError("render.grub-protocol", `GRUB cannot fetch ${proto}:// URLs (${url}); link the boot file over http or host it`);
  }
  return `(${proto},${u.host})${u.pathname}${u.search}`;
}

// Hosted files come over HTTP from bootplan serve when its URL is plain http; otherwise from GRUB's
// root, the TFTP server it was loaded from, as absolute paths on it.
function source(distro: string, file: BootFile, which: "linux" | "initrd", serverUrl?: string): string {
  if (file.kind === "linked") return grubUrlPath(file.url);
  return serverUrl?.startsWith("http:") ? grubUrlPath(hostedImageUrl(serverUrl, distro, which)) : `/${hostedImageTftpPath(distro, which)}`;
}

/** The GRUB config for one interface: one entry booted at once, or back to the firmware for local disk. */
export function renderGrubConfig(spec: BootSpec): string {
  const head = `# bootplan: system ${spec.system}, interface ${spec.mac}; generated, edits are overwritten\n`;
  if (spec.action === "local") {
    // `exit` hands control back to the UEFI boot manager, which tries the next entry (the disk).
    return `${head}exit\n`;
  }
  const kernel = source(spec.distro, spec.kernel, "linux", spec.serverUrl);
  const initrd = source(spec.distro, spec.initrd, "initrd", spec.serverUrl);
  const needsHttp = [kernel, initrd].some((f) => f.startsWith("(http,"));
  // Every word is quoted when it needs it: `;` `$` `{` `|` `&` `<` `>` are GRUB metacharacters.
  const linux = ["linux", kernel, ...spec.args].map(grubWord).join(" ");
  return (
    `${head}set default=0\nset timeout=0\n` +
    (needsHttp ? "insmod http\n" : "") +
    `menuentry ${grubWord(`bootplan install ${spec.system}`)} {\n  ${linux}\n  initrd ${grubWord(initrd)}\n}\n`
  );
}
