/** SSH access to a running system, as a validated stack declares it (secret names only, never values). */

/** One pinned public host key: its type and base64 blob, as in a known_hosts line. */
export interface PinnedKey {
  type: string;
  /** Base64 of the key in SSH wire format. */
  blob: string;
  /** Where the pin comes from, for messages (e.g. `hostKey at systems.yaml:5:7`). */
  from: string;
}

/** A system's `ssh:` settings after validation; also the `ssh` input of its resource. */
export interface SshSettings {
  host: string;
  port: number;
  user: string;
  /** Secret holding the private key (OpenSSH or PEM). */
  identity: string | null;
  /** Secret holding the key's passphrase, if it has one. */
  passphrase: string | null;
  /** Secret holding a password, for targets without a key. */
  password: string | null;
  /** Run the helper through `sudo -n` (a login user other than root). */
  sudo: boolean;
  /** Folder on the target the helper and uploads go to (relative: below the login directory). */
  helperDir: string;
  /** Reboot (or kexec -e) right after staging a reinstall; false only stages it. */
  reboot: boolean;
  /** The pinned host keys, resolved from `hostKey:` or the `knownHosts:` file when the stack was loaded. */
  hostKeys: PinnedKey[];
}

/** How a reinstall boots the installer: a one-shot GRUB entry (default) or kexec. */
export type ReinstallMethod = "grub" | "kexec";

/** Where a reinstall's boot file comes from: the root's verified copy (relative path) of a hosted file, or a linked URL. */
export type ReinstallBootFile = { file: string; sha256: string } | { url: string };

/** The `reinstall` input of a system resource with ssh: what the helper stages and how. */
export interface ReinstallInputs {
  method: ReinstallMethod;
  kernel: ReinstallBootFile;
  initrd: ReinstallBootFile;
  /** The installer's kernel command line, the same one the boot configs carry. */
  cmdline: string;
}
