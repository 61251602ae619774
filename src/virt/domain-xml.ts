/** libvirt domain XML for a guest (pure), and the few facts bootplan reads back from libvirt's XML. */

/** Everything the domain definition depends on. */
export interface DomainSpec {
  name: string;
  /** libvirt's virtualization type: kvm where the hypervisor has it, else qemu (TCG). */
  domainType: string;
  /** Kept when redefining an existing domain, so libvirt updates it instead of refusing a second one. */
  uuid?: string;
  arch: string;
  memoryMiB: number;
  vcpus: number;
  firmware: "bios" | "uefi";
  disks: { pool: string; volume: string }[];
  /** A libvirt network name, `bridge:BR`, or `user`. */
  network: string;
  mac: string;
}

/** The volume name of a guest's disk number `index` in its pool. */
export function volumeName(guest: string, index: number): string {
  return `${guest}-disk${index}.qcow2`;
}

function esc(s: string | number): string {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&apos;").replace(/"/g, "&quot;");
}

function interfaceXml(network: string, mac: string): string {
  const head = network === "user"
    ? "<interface type='user'>"
    : network.startsWith("bridge:")
      ? `<interface type='bridge'>\n      <source bridge='${esc(network.slice("bridge:".length))}'/>`
      : `<interface type='network'>\n      <source network='${esc(network)}'/>`;
  return `    ${head}\n      <mac address='${esc(mac)}'/>\n      <model type='virtio'/>\n    </interface>`;
}

/**
 * The domain definition: boots from the network first (bootplan's boot configs install it, then send
 * it to its disk), then from its first disk. Identical input gives identical text.
 */
export function renderDomainXml(s: DomainSpec): string {
  const disks = s.disks.map((d, i) =>
    `    <disk type='volume' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source pool='${esc(d.pool)}' volume='${esc(d.volume)}'/>\n      <target dev='vd${String.fromCharCode(97 + i)}' bus='virtio'/>\n    </disk>`);
  return [
    `<domain type='${esc(s.domainType)}'>`,
    `  <name>${esc(s.name)}</name>`,
    ...(s.uuid ? [`  <uuid>${esc(s.uuid)}</uuid>`] : []),
    `  <description>managed by bootplan</description>`,
    `  <memory unit='MiB'>${s.memoryMiB}</memory>`,
    `  <vcpu>${s.vcpus}</vcpu>`,
    `  <os${s.firmware === "uefi" ? " firmware='efi'" : ""}>`,
    `    <type arch='${esc(s.arch)}'>hvm</type>`,
    `    <boot dev='network'/>`,
    `    <boot dev='hd'/>`,
    `  </os>`,
    `  <features><acpi/><apic/></features>`,
    `  <on_reboot>restart</on_reboot>`,
    `  <devices>`,
    ...disks,
    interfaceXml(s.network, s.mac),
    `    <serial type='pty'/>`,
    `    <console type='pty'/>`,
    `  </devices>`,
    `</domain>`,
    "",
  ].join("\n");
}

/** What bootplan compares of a defined domain: its configured memory, vCPUs, MACs and UUID. */
export interface DomainFacts {
  uuid?: string;
  memoryMiB: number;
  vcpus: number;
  macs: string[];
}

const UNIT_KIB: Record<string, number> = { b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, kb: 1000 / 1024, m: 1024, mib: 1024, mb: 1e6 / 1024, g: 1024 ** 2, gib: 1024 ** 2, gb: 1e9 / 1024 };

/** Reads the facts from `virsh dumpxml` output (libvirt's own normalised XML). */
export function parseDomainXml(xml: string): DomainFacts {
  const mem = /<memory(?:\s+unit=['"]([A-Za-z]+)['"])?[^>]*>(\d+)<\/memory>/.exec(xml);
  const kib = mem ? Number(mem[2]) * (UNIT_KIB[(mem[1] ?? "KiB").toLowerCase()] ?? 1) : 0;
  const vcpu = /<vcpu[^>]*>(\d+)<\/vcpu>/.exec(xml);
  const uuid = /<uuid>([0-9a-fA-F-]+)<\/uuid>/.exec(xml);
  const macs = [...xml.matchAll(/<mac\s+address=['"]([0-9a-fA-F:]+)['"]/g)].map((m) => m[1].toLowerCase());
  return { uuid: uuid?.[1], memoryMiB: Math.round(kib / 1024), vcpus: vcpu ? Number(vcpu[1]) : 0, macs };
}
