/**
 * The boot scripts every client shares: iPXE's `boot.ipxe` chains to the script of the booting
 * interface's MAC; GRUB's `grub/grub.cfg` (read by Debian's grubnetx64.efi, whose prefix is /grub)
 * loads the per-MAC config, which GRUB does not look up by itself when started from a monolithic image.
 */
import { ipxeWord } from "./escape.js";

/** `http/boot.ipxe`: the generic chain script DHCP hands to iPXE. */
export function renderChainScript(serverUrl: string): string {
  // ${netX/mac:hexhyp} is the booting interface's MAC as 52-54-00-12-34-01, the name of its script.
  return (
    "#!ipxe\n# bootplan: chain to the booting interface's own script; generated, edits are overwritten\n" +
    `chain ${ipxeWord(`${serverUrl}/ipxe/`)}\${netX/mac:hexhyp}.ipxe || goto none\nexit\n:none\n` +
    "echo bootplan has no boot script for ${netX/mac}; booting the next device\nexit\n"
  );
}

/** `tftp/grub/grub.cfg`: turns GRUB's MAC (52:54:00:12:34:01) into the per-MAC file name and loads it. */
export function renderGrubDispatch(): string {
  return (
    "# bootplan: load the booting interface's own config; generated, edits are overwritten\n" +
    "regexp --set=1:m1 --set=2:m2 --set=3:m3 --set=4:m4 --set=5:m5 --set=6:m6 '^(..):(..):(..):(..):(..):(..)$' \"$net_default_mac\"\n" +
    'configfile "$prefix/grub.cfg-01-$m1-$m2-$m3-$m4-$m5-$m6"\n' +
    'echo "bootplan has no boot config for $net_default_mac"\nexit\n'
  );
}
