/** The typed domain a validated stack resolves to: references checked, inheritance merged, paths absolute. */
import type { SourcePosition } from "../errors.js";

/** OS families bootplan renders installers for; each has its own answer-file format. */
export type OsFamily = "debian" | "ubuntu" | "rhel";

/** Answer-file formats: kickstart (rhel), preseed (debian), autoinstall user-data (ubuntu). */
export type AnswerFormat = "kickstart" | "preseed" | "autoinstall";

/** A kernel or initrd: linked (the boot config fetches the URL) or hosted (copied into the root). */
export type BootFile =
  | { kind: "linked"; url: string }
  | { kind: "hosted"; path: string; relPath: string; sha256: string };

/** Where a secret value comes from; the value itself is never part of the model. */
export type SecretSource = { env: string } | { file: string };

export interface Distro {
  name: string;
  os: { family: OsFamily; release: string };
  arch: string;
  kernel: BootFile;
  initrd: BootFile;
  installTree?: string;
  source: SourcePosition;
}

export interface Repo {
  name: string;
  url: string;
  /** debian/ubuntu: suite and components of a deb line; rhel: ignored. */
  suite?: string;
  components: string[];
  gpgKey?: string;
  source: SourcePosition;
}

export interface AnswerFileSpec {
  format: AnswerFormat;
  /** Absolute path of a liquid template in the stack; the built-in template when absent. */
  template?: string;
}

/** A profile after inheritance: every field is the merged result of its chain. */
export interface Profile {
  name: string;
  /** The chain from the root ancestor to this profile, for explanations. */
  lineage: string[];
  distro: string;
  answerFile: AnswerFileSpec;
  kernelArgs: string[];
  packages: string[];
  repos: string[];
  rootPassword?: { secret: string };
  timezone: string;
  locale: string;
  /** Everything under `manage:`, merged by later features (CM bindings). */
  extra: Record<string, unknown>;
  source: SourcePosition;
}

export interface NetworkInterface {
  name?: string;
  mac: string;
  /** Address without prefix, e.g. 10.0.2.15. */
  ip?: string;
  prefix?: number;
  gateway?: string;
  dns: string[];
}

export interface System {
  name: string;
  profile: string;
  hostname: string;
  interfaces: NetworkInterface[];
  attributes: Record<string, unknown>;
  netboot: boolean;
  kernelArgs: string[];
  extra: Record<string, unknown>;
  source: SourcePosition;
}

export interface StackSettings {
  name: string;
  /** Absolute directory the stack was loaded from. */
  dir: string;
  provisioningRoot: string;
  state: { backend: "file"; path: string };
  server: { url: string };
}

/** A whole validated stack. */
export interface Stack extends StackSettings {
  /** Stack files read, relative to `dir`, sorted. */
  files: string[];
  secrets: Record<string, SecretSource & { source: SourcePosition }>;
  distros: Record<string, Distro>;
  repos: Record<string, Repo>;
  profiles: Record<string, Profile>;
  systems: Record<string, System>;
  /** Content hash of every file the stack reads (YAML, templates, hosted boot files). */
  fingerprint: string;
}
