/** iPXE scripts (https://ipxe.org/scripting). */
import type { BootFile } from "../model/stack.js";
import { ipxeWord } from "./escape.js";
import { hostedImageTftpPath, hostedImageUrl } from "./paths.js";
import type { BootSpec } from "./types.js";

// Hosted files come over HTTP from bootplan serve (TFTP moves ~48 MB of installer slowly); without a
// server URL, `${next-server}` (iPXE's own DHCP setting) names the TFTP server.
function source(distro: string, file: BootFile, which: "linux" | "initrd", serverUrl?: string): string {
  if (file.kind === "linked") return ipxeWord(file.url);
  return serverUrl ? ipxeWord(hostedImageUrl(serverUrl, distro, which)) : `tftp://\${next-server}/${hostedImageTftpPath(distro, which)}`;
}

/** The iPXE script for one interface: kernel, named initrd, boot; or the local disk. */
export function renderIpxeScript(spec: BootSpec): string {
  const head = `#!ipxe\n# bootplan: system ${spec.system}, interface ${spec.mac}; generated, edits are overwritten\n`;
  if (spec.action === "local") {
    // iPXE's documented local-disk boot; where it fails (UEFI has no INT 13 drive 0x80) `exit`
    // returns to the firmware, which boots the next entry.
    return `${head}sanboot --no-describe --drive 0x80 || exit\n`;
  }
  // The kernel's `initrd=` names the image so EFI-stub kernels find it; BIOS kernels ignore it.
  const args = ["initrd=initrd", ...spec.args.map(ipxeWord)].join(" ");
  return (
    head +
    `kernel ${source(spec.distro, spec.kernel, "linux", spec.serverUrl)} ${args}\n` +
    `initrd --name initrd ${source(spec.distro, spec.initrd, "initrd", spec.serverUrl)}\n` +
    `boot\n`
  );
}
