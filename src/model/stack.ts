/** The typed domain a validated stack resolves to: references checked, inheritance merged, paths absolute. */
import type { SourcePosition } from "../errors.js";
import type { CmSystem } from "../cm/types.js";
import type { ReinstallMethod, SshSettings } from "./ssh.js";
import type { PluginRef } from "../plugins/types.js";

/** OS families bootplan renders installers for; each has its own answer-file format. */
export type OsFamily = "debian" | "ubuntu" | "rhel";

/** Answer-file formats: kickstart (rhel), preseed (debian), autoinstall user-data (ubuntu). */
export type AnswerFormat = "kickstart" | "preseed" | "autoinstall";

/** A kernel or initrd: linked (the boot config fetches the URL) or hosted (copied into the root). */
export type BootFile =
  | { kind: "linked"; url: string }
  | { kind: "hosted"; path: string; relPath: string; sha256: string };

/** Where a secret value comes from; the value itself is never part of the model. `multiline`: an SSH key, which may span lines. */
export type SecretSource = ({ env: string } | { file: string }) & { multiline?: boolean };

/** One attribute's constraint as declared: allowed values, a numeric range, or a version range. */
export type AttributeConstraint =
  | { type: "values"; values: string[] }
  | { type: "numeric"; min?: number; max?: number }
  | { type: "version"; range: string };

/** One entry of a requirement or external list: the constraint and where it was declared. */
export interface Requirement {
  constraint: AttributeConstraint;
  source: SourcePosition;
  /** Where the constraint came from, for explanations: "requires", "distro arch", a package file. */
  origin: string;
}

/** Required system attributes by attribute name (`arch`, `os`, `memoryMiB`, operator keys...). */
export type RequirementList = Record<string, Requirement>;

/** An installable declared under `packages:`; profiles name it in their `packages:` list. */
export interface Package {
  name: string;
  version: string;
  /** The package file whose own metadata (arch, OS) adds to `requires`, relative to the stack. */
  file?: string;
  requires: RequirementList;
  /** Skip it silently on targets it does not fit rather than fail the plan. */
  optional: boolean;
  source: SourcePosition;
}

/** What an external list applies to. */
export type InstallableKind = "package" | "distro" | "profile";

/** An external list (`overrides:`): attributes declared compatible for an installable, kept apart from it. */
export interface ExternalList {
  name: string;
  applies: { kind: InstallableKind; name: string; versions?: string };
  attributes: RequirementList;
  reason: string;
  priority?: number;
  source: SourcePosition;
}

export interface Distro {
  name: string;
  os: { family: OsFamily; release: string };
  arch: string;
  /** Declared `requires:`; the distro's arch is always required besides. */
  requires: RequirementList;
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
  /** Declared `requires:`, merged along the inheritance chain (the nearest declaration of an attribute wins). */
  requires: RequirementList;
  repos: string[];
  rootPassword?: { secret: string };
  timezone: string;
  locale: string;
  /** Everything under `manage:`, merged by later features (CM bindings). */
  extra: Record<string, unknown>;
  /** System fields whose change reinstalls a system (besides its distro), e.g. `files`, `kernelArgs`. */
  reinstallOn?: string[];
  /** How systems with `ssh` are reinstalled: a one-shot GRUB entry (default) or kexec. */
  reinstallMethod?: ReinstallMethod;
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
  /** `netboot: once`: the installer until its install-done callback is recorded, then the local disk. */
  netbootOnce?: boolean;
  kernelArgs: string[];
  extra: Record<string, unknown>;
  /** SSH access to the running machine (reinstall via the helper, facts). */
  ssh?: SshSettings;
  /** Attributes discovered on the machine (plan --use-facts), used by compatibility over declared ones. */
  facts?: Record<string, unknown>;
  /** BMC power control; apply of an install sets next boot to PXE and cycles power through it. */
  power?: PowerSpec;
  source: SourcePosition;
}

/** Power control of a machine through its BMC: IPMI over LAN with ipmitool; the password is a secret. */
export interface PowerSpec {
  type: "ipmi";
  host: string;
  port: number;
  user: string;
  password: { secret: string };
  interface: "lanplus" | "lan";
  cipherSuite?: number;
}

/** A virtual guest on a libvirt hypervisor; its installation (boot configs, answer file, CM) is the system of the same name. */
export interface Guest {
  name: string;
  /** The libvirt URI virsh connects to. */
  uri: string;
  /** The system the guest runs on, when the hypervisor was named by system (a dependency). */
  hypervisorSystem?: string;
  memoryMiB: number;
  vcpus: number;
  firmware: "bios" | "uefi";
  disks: { sizeGiB: number; pool: string }[];
  /** A libvirt network name, `bridge:BR`, or `user`. */
  network: string;
  mac: string;
  source: SourcePosition;
}

/** How `bootplan serve` answers DHCP/TFTP through dnsmasq (`serve:` in stack.yaml; every key has a default). */
export interface ServeSettings {
  /** static: dhcp-host per MAC with its address; proxy: proxy-DHCP beside a DHCP server bootplan does not own; none: TFTP only. */
  dhcp: "static" | "proxy" | "none";
  /** The interface dnsmasq binds to; all when absent. */
  interface?: string;
  /** The first-stage loader DHCP hands out per firmware (iPXE then chains to HTTP). */
  loaders: { bios: "ipxe" | "pxelinux"; uefi: "ipxe" | "grub" };
}

/** The `state:` settings: the file backend, or PostgreSQL with its URL's source and schema. */
export interface StateSettings {
  backend: "file" | "postgres";
  path: string;
  /** postgres: where the connection URL is read from (never the URL itself). */
  url?: SecretSource;
  /** postgres: the schema holding bootplan's tables. */
  schema?: string;
}

export interface StackSettings {
  name: string;
  /** Absolute directory the stack was loaded from. */
  dir: string;
  provisioningRoot: string;
  /** Where state lives: `path` always (the file backend's file; beside it, local files such as the lock of a file state). */
  state: StateSettings;
  server: { url: string };
  /** Where providers run, from `executor:` (the command line's --executor wins); unset means the default. */
  executor?: "in-process" | "pulumi-host";
  /** `serve:` with defaults applied; absent in stacks built by hand (tests), which means the defaults. */
  serve?: ServeSettings;
}

/** A whole validated stack. */
export interface Stack extends StackSettings {
  /** Stack files read, relative to `dir`, sorted. */
  files: string[];
  /** Those that declare anything besides systems (stack.yaml always: it holds the settings); a plan memo plans in full when one changes. */
  mixedFiles: string[];
  secrets: Record<string, SecretSource & { source: SourcePosition }>;
  distros: Record<string, Distro>;
  repos: Record<string, Repo>;
  profiles: Record<string, Profile>;
  systems: Record<string, System>;
  /** Virtual guests under `guests:`; each also appears in `systems` under its own name. */
  guests: Record<string, Guest>;
  /** Installables declared under `packages:`. */
  packages: Record<string, Package>;
  /** External lists declared under `overrides:`. */
  overrides: Record<string, ExternalList>;
  /** CM systems declared under `cm:`, each with the machines bound to it under `manage:`. */
  cm: Record<string, CmSystem>;
  /** Plugins: modules in plugins/ and entries under `plugins:` (their code is loaded by plugins/load.ts). */
  plugins: Record<string, PluginRef>;
  /** Content hash of every file the stack reads (YAML, templates, hosted boot files). */
  fingerprint: string;
  /** What the fingerprint covers, as `kind:path:sha256` (path relative to `dir`), so it can be re-checked without loading. */
  fingerprintInputs: string[];
}
