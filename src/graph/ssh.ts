/**
 * The inputs a system with `ssh` adds to its resource: how to reach it (secret names, pinned keys)
 * and what a reinstall stages there — the distro's kernel and initrd (the root's verified copies
 * of hosted files, or the linked URLs) and the same installer command line the boot configs carry.
 */
import type { ReinstallBootFile, ReinstallInputs } from "../model/ssh.js";
import type { BootFile, Distro, Profile, Stack, System } from "../model/stack.js";
import { installerKernelArgs } from "../render/kernel-args.js";
import { hostedImagePath } from "../render/paths.js";
import type { SystemRenderInput } from "../render/types.js";
import { sshSecretNames } from "../remote/target.js";


function bootFile(distro: Distro, which: "linux" | "initrd", f: BootFile): ReinstallBootFile {
  return f.kind === "linked" ? { url: f.url } : { file: hostedImagePath(distro.name, which), sha256: f.sha256 };
}

/** The secret names the ssh settings of every system need (keys, passphrases, passwords). */
export function sshSecretsNeeded(stack: Stack): string[] {
  return Object.values(stack.systems).flatMap((s) => (s.ssh ? sshSecretNames(s.ssh) : []));
}

/** The extra inputs and secret names of one system: nothing without ssh, so such systems' records stay as they were. */
export function systemSshInputs(sys: System, profile: Profile, distro: Distro, render: SystemRenderInput): { inputs: Record<string, unknown>; secretNames: string[] } {
  const inputs: Record<string, unknown> = {};
  if (profile.reinstallOn?.length) inputs.reinstallOn = profile.reinstallOn;
  if (!sys.ssh) return { inputs, secretNames: [] };
  const reinstall: ReinstallInputs = {
    method: profile.reinstallMethod ?? "grub",
    kernel: bootFile(distro, "linux", distro.kernel),
    initrd: bootFile(distro, "initrd", distro.initrd),
    cmdline: installerKernelArgs(render).join(" "),
  };
  inputs.ssh = sys.ssh;
  inputs.reinstall = reinstall;
  return { inputs, secretNames: sshSecretNames(sys.ssh) };
}
