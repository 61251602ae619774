/** PXELINUX (BIOS) configs: https://wiki.syslinux.org/wiki/index.php?title=Config */
import type { BootFile } from "../model/stack.js";
import { pxelinuxWord } from "./escape.js";
import { hostedImageTftpPath } from "./paths.js";
import type { BootSpec } from "./types.js";

// Hosted files are named relative to the TFTP root; URLs need lpxelinux.0, which fetches http/ftp itself.
function source(distro: string, file: BootFile, which: "linux" | "initrd"): string {
  return pxelinuxWord(file.kind === "linked" ? file.url : hostedImageTftpPath(distro, which));
}

/** The PXELINUX config for one interface: one label, no prompt, booted at once. */
export function renderPxelinuxConfig(spec: BootSpec): string {
  const head = `# bootplan: system ${spec.system}, interface ${spec.mac}; generated, edits are overwritten\nPROMPT 0\nTIMEOUT 0\n`;
  if (spec.action === "local") {
    return `${head}DEFAULT local\nLABEL local\n  LOCALBOOT 0\n`;
  }
  // APPEND runs to the end of the line with no quoting, so each word only has to be free of whitespace.
  const append = [`initrd=${source(spec.distro, spec.initrd, "initrd")}`, ...spec.args.map(pxelinuxWord)].join(" ");
  return `${head}DEFAULT install\nLABEL install\n  KERNEL ${source(spec.distro, spec.kernel, "linux")}\n  APPEND ${append}\n`;
}
