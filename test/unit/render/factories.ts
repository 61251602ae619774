/** Small builders of render inputs, so each test states only what it is about. */
import type { Distro, NetworkInterface, Profile, Repo, System } from "../../../src/model/stack.js";
import type { SystemRenderInput } from "../../../src/render/types.js";

const here = { file: "test.yaml", line: 1, column: 1 };

/** The marker the graph passes where the root password hash goes. */
export const SECRET_MARKER = "((secret:root-password))";

/** A distro of the given family, linked boot files unless `hosted` is set. */
export function distro(family: "debian" | "ubuntu" | "rhel", over: Partial<Distro> = {}): Distro {
  const name = { debian: "debian-12-amd64", ubuntu: "ubuntu-24.04-amd64", rhel: "rocky-9-x86_64" }[family];
  return {
    name,
    os: { family, release: { debian: "12", ubuntu: "24.04", rhel: "9" }[family] },
    arch: "x86_64",
    kernel: { kind: "linked", url: `http://mirror.example:8080/${name}/vmlinuz` },
    initrd: { kind: "linked", url: `http://mirror.example:8080/${name}/initrd.img` },
    requires: {},
    installTree: { debian: "http://deb.debian.org/debian", ubuntu: "http://archive.ubuntu.com/ubuntu", rhel: "http://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os" }[family],
    source: here,
    ...over,
  };
}

/** A distro whose kernel and initrd are hosted in the provisioning root. */
export function hostedDistro(family: "debian" | "ubuntu" | "rhel"): Distro {
  const sha = "a".repeat(64);
  return distro(family, {
    kernel: { kind: "hosted", path: "/stack/boot/linux", relPath: "boot/linux", sha256: sha },
    initrd: { kind: "hosted", path: "/stack/boot/initrd.gz", relPath: "boot/initrd.gz", sha256: sha },
  });
}

/** A profile using the given format, with a root password secret unless `rootPassword` is overridden. */
export function profile(format: "kickstart" | "preseed" | "autoinstall", over: Partial<Profile> = {}): Profile {
  return {
    name: "base",
    lineage: ["base"],
    distro: "d",
    answerFile: { format },
    kernelArgs: ["console=ttyS0,115200"],
    packages: ["openssh-server"],
    repos: [],
    rootPassword: { secret: "root-password" },
    requires: {},
    timezone: "Etc/UTC",
    locale: "en_US.UTF-8",
    extra: {},
    source: here,
    ...over,
  };
}

/** A static interface (10.0.2.15/24 via 10.0.2.2, DNS 10.0.2.3) unless overridden. */
export function nic(over: Partial<NetworkInterface> = {}): NetworkInterface {
  return { name: "eth0", mac: "52:54:00:12:34:01", ip: "10.0.2.15", prefix: 24, gateway: "10.0.2.2", dns: ["10.0.2.3"], ...over };
}

/** A DHCP interface without a name. */
export function dhcpNic(mac = "52:54:00:12:34:02"): NetworkInterface {
  return { mac, dns: [] };
}

/** The system web01.lab.example with one static interface. */
export function system(over: Partial<System> = {}): System {
  return {
    name: "web01",
    profile: "base",
    hostname: "web01.lab.example",
    interfaces: [nic()],
    attributes: {},
    netboot: true,
    kernelArgs: [],
    extra: {},
    source: here,
    ...over,
  };
}

/** A deb repo (suite + components) or, with `rpm`, a yum repo. */
export function repo(name: string, over: Partial<Repo> = {}): Repo {
  return { name, url: `http://repo.example/${name}`, suite: "bookworm", components: ["main", "contrib"], source: here, ...over };
}

const FORMAT = { debian: "preseed", ubuntu: "autoinstall", rhel: "kickstart" } as const;

/** A complete render input for a family; any part can be replaced. */
export function input(family: "debian" | "ubuntu" | "rhel", over: Partial<SystemRenderInput> = {}): SystemRenderInput {
  return {
    serverUrl: "http://10.0.2.2:8080",
    system: system(),
    profile: profile(FORMAT[family]),
    distro: distro(family),
    repos: [],
    secretText: { "root-password": SECRET_MARKER },
    packages: ["openssh-server", "curl"],
    ...over,
  };
}
