/** What renderers take and give: pure data, no I/O. */
import type { BootFile, Distro, Profile, Repo, System } from "../model/stack.js";

/** One file bootplan writes under the provisioning root. */
export interface RenderedFile {
  /** Path relative to the provisioning root, forward slashes, e.g. `tftp/grub/grub.cfg-01-52-54-00-12-34-01`. */
  path: string;
  content: string;
}

/** Everything needed to render one system's boot configs and answer file. */
export interface SystemRenderInput {
  /** Base URL targets fetch answer files from (serves the root's http/ tree), no trailing slash. */
  serverUrl: string;
  system: System;
  profile: Profile;
  distro: Distro;
  /** The profile's repos, resolved, in the profile's order. */
  repos: Repo[];
  /**
   * Text to embed where a secret's value goes, by secret name. The graph passes markers such as
   * `((secret:root-password))`; providers substitute the real value only when writing the file.
   */
  secretText: Record<string, string>;
  /** Contents of the profile's answer-file template, when the stack gives one (liquid). */
  answerTemplate?: string;
  /** Packages that go in the answer file's package list (the profile's, after compatibility checks). */
  packages: string[];
  /** `netboot: once`: the install-done callback URL (its token a secret marker) the answer file ends by calling. */
  installDoneUrl?: string;
}

/** What one boot-loader config does for one interface: start the installer, or boot the local disk. */
export type BootSpec =
  | { action: "install"; system: string; mac: string; distro: string; kernel: BootFile; initrd: BootFile; args: string[]; serverUrl?: string }
  | { action: "local"; system: string; mac: string };
