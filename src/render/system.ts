/** All files of one system: per-MAC boot configs for PXELINUX, GRUB and iPXE, plus its answer file(s). */
import { renderAnswerFiles } from "./answer/index.js";
import { renderGrubConfig } from "./grub.js";
import { renderIpxeScript } from "./ipxe.js";
import { installerKernelArgs } from "./kernel-args.js";
import { grubPath, ipxePath, pxelinuxPath, safeMac, safeName } from "./paths.js";
import { renderPxelinuxConfig } from "./pxelinux.js";
import { RenderError } from "./errors.js";
import type { BootSpec, RenderedFile, SystemRenderInput } from "./types.js";

export { hostedImagePath } from "./paths.js";
export { installerKernelArgs } from "./kernel-args.js";

/** The boot action for one interface: the installer when netboot is on, else the local disk. */
export function bootSpec(input: SystemRenderInput, mac: string, args: string[]): BootSpec {
  const system = safeName(input.system.name, "system name");
  if (!input.system.netboot) return { action: "local", system, mac: safeMac(mac) };
  const { distro } = input;
  return { action: "install", system, mac: safeMac(mac), distro: safeName(distro.name, "distro name"), kernel: distro.kernel, initrd: distro.initrd, args, serverUrl: input.serverUrl };
}

/** The three boot configs (PXELINUX, GRUB, iPXE) of one interface. */
function bootConfigs(spec: BootSpec): RenderedFile[] {
  return [
    { path: pxelinuxPath(spec.mac), content: renderPxelinuxConfig(spec) },
    { path: grubPath(spec.mac), content: renderGrubConfig(spec) },
    { path: ipxePath(spec.mac), content: renderIpxeScript(spec) },
  ];
}

/** The boot configs that boot the local disk for each MAC of a system: what `netboot: false` renders. */
export function renderLocalBootConfigs(system: string, macs: string[]): RenderedFile[] {
  return macs.flatMap((mac) => bootConfigs({ action: "local", system: safeName(system, "system name"), mac: safeMac(mac) }));
}

/**
 * Renders every file of one system, sorted by path. Pure: identical input gives identical bytes.
 * The answer file is rendered even with netboot off, so the plan still shows how the system installs.
 */
export function renderSystemFiles(input: SystemRenderInput): RenderedFile[] {
  const args = input.system.netboot ? installerKernelArgs(input) : [];
  const files: RenderedFile[] = [];
  for (const nic of input.system.interfaces) {
    files.push(...bootConfigs(bootSpec(input, nic.mac, args)));
  }
  files.push(...renderAnswerFiles(input));
  // Plain code-unit order, not localeCompare: the result must not depend on the machine's locale.
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < files.length; i++) {
    if (files[i].path === files[i - 1].path) {
      throw new RenderError("render.duplicate-path", `${files[i].path} would be written twice (an interface MAC is listed twice)`);
    }
  }
  return files;
}
