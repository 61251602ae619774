// Generates a synthetic fleet stack for the benchmark: N systems over 20 profiles and 4 distros.
import { mkdirSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";

const FAMILIES = [
  ["debian-12", "debian", "12", "hosted"],
  ["rocky-9", "rhel", "9", "linked"],
  ["ubuntu-2404", "ubuntu", "24.04", "linked"],
  ["rocky-8", "rhel", "8", "linked"],
];

/**
 * Writes the stack into `dir` and returns the path of the file holding system `sys-00000`.
 * `compat: "plain"`: every system installs 20 more packages, listed by name only; `compat: "declared"`:
 * the same packages declared under packages: with requirements, and 200 external lists (10 per
 * package, over version ranges) in overrides/ — the difference between the two is the cost of the
 * compatibility decisions. `cm`: every profile binds to a Puppet and an Ansible CM system.
 */
export function generateStack(dir, n, { labDir, compat = false, cm = false }) {
  mkdirSync(join(dir, "systems"), { recursive: true });
  cpSync(join(labDir, "boot"), join(dir, "boot"), { recursive: true });
  cpSync(join(labDir, "secrets"), join(dir, "secrets"), { recursive: true });
  const y = [];
  y.push("stack: bench", "provisioningRoot: .bootplan/root", "state: {backend: file, path: .bootplan/state.json}",
    'server: {url: "http://10.0.0.1:8080"}', "secrets:", "  root-password: {file: secrets/demo-root-password.hash}");
  y.push("distros:");
  for (const [name, family, release, how] of FAMILIES) {
    y.push(`  ${name}:`, `    os: {family: ${family}, release: "${release}"}`, "    arch: x86_64", `    installTree: http://mirror.example/${name}`);
    if (how === "hosted") {
      y.push("    kernel: {path: boot/debian-12/linux, sha256: aa6d2220a2f0e2aa6b50ccc5932dd3b29c7e14c9062b9c71a63954960d033851}");
      y.push("    initrd: {path: boot/debian-12/initrd.gz, sha256: 9009180af0898b1bc8ed27677ed8ad7ace396eebfce4e2887f8287022a34cb12}");
    } else {
      y.push(`    kernel: {url: "http://mirror.example/${name}/vmlinuz"}`, `    initrd: {url: "http://mirror.example/${name}/initrd.img"}`);
    }
  }
  y.push("repos:", "  extras: {url: http://mirror.example/extras, suite: stable, components: [main]}");
  const declared = Array.from({ length: 20 }, (_, k) => `app-${k}`);
  y.push("profiles:");
  for (let p = 0; p < 20; p++) {
    const [distro] = FAMILIES[p % 4];
    if (p < 4) {
      y.push(`  base-${p}:`, `    distro: ${distro}`, '    kernelArgs: ["console=ttyS0,115200"]', `    packages: [openssh-server, curl${compat ? ", " + declared.join(", ") : ""}]`,
        "    rootPassword: {secret: root-password}");
      if (p % 4 === 0) y.push("    repos: [extras]");
    } else {
      y.push(`  role-${p}:`, `    inherits: base-${p % 4}`, `    packages: [pkg-${p}, tool-${p}]`);
    }
    if (cm) {
      y.push("    manage:", `      puppet-fleet: {classes: {"role::r${p}": {tier: ${p}}}, parameters: {site: bench}}`,
        `      ansible-fleet: {groups: [group_${p % 5}], vars: {slot: ${p}}}`);
    }
  }
  if (cm) y.push("cm:", "  puppet-fleet: {type: puppet, environment: production}", "  ansible-fleet: {type: ansible}");
  if (compat === "declared") {
    y.push("packages:");
    declared.forEach((name, k) => y.push(`  ${name}:`, `    version: "${k + 1}.2.3"`,
      `    requires: {arch: [x86_64], memoryMiB: {min: ${1024 * (1 + (k % 4))}}, firmware: [bios, uefi]}`));
    const o = ["overrides:"];
    declared.forEach((name, k) => {
      for (let j = 0; j < 10; j++) {
        o.push(`  ${name}-list-${j}:`, `    package: ${name}`, `    versions: ">=${k + 1}.${j} <${k + 1}.${j + 1}"`,
          `    attributes: {arch: [x86_64, aarch64]${j === 2 ? ", memoryMiB: {min: 512}" : ""}}`, "    reason: bench", `    priority: ${j}`);
      }
    });
    mkdirSync(join(dir, "overrides"), { recursive: true });
    writeFileSync(join(dir, "overrides", "lists.yaml"), o.join("\n") + "\n");
  }
  writeFileSync(join(dir, "stack.yaml"), y.join("\n") + "\n");

  const perFile = 1000;
  for (let f = 0; f * perFile < n; f++) {
    const lines = ["systems:"];
    for (let i = f * perFile; i < Math.min(n, (f + 1) * perFile); i++) {
      const p = i % 20;
      const profile = p < 4 ? `base-${p}` : `role-${p}`;
      const id = String(i).padStart(5, "0");
      const mac = `52:54:${((i >> 16) & 255).toString(16).padStart(2, "0")}:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}:01`;
      // i + 1: 10.0.0.0 is the network address of 10.0.0.0/8, which validation refuses as a host address.
      const ip = `10.${((i + 1) >> 16) & 255}.${((i + 1) >> 8) & 255}.${(i + 1) & 255}/8`;
      lines.push(`  sys-${id}:`, `    profile: ${profile}`, `    hostname: sys-${id}.bench.example`,
        `    interfaces: [{name: eth0, mac: "${mac}", ip: ${ip}, gateway: 10.255.255.254, dns: [10.255.255.253]}]`,
        `    attributes: {arch: x86_64, firmware: ${i % 2 ? "uefi" : "bios"}, memoryMiB: 8192}`);
    }
    writeFileSync(join(dir, "systems", `systems-${String(f).padStart(3, "0")}.yaml`), lines.join("\n") + "\n");
  }
  return join(dir, "systems", "systems-000.yaml");
}

/**
 * A fleet cloned from the lab's own systems, so it uses every feature the lab does: packages with
 * requirement lists (a .deb's metadata among them), an external list, Puppet and Ansible bindings on
 * profiles and systems, a secret, hosted and linked boot files. System i is a copy of the lab's system
 * i mod 5 under a new name, MAC and address. Returns the path of the file holding the first system.
 */
export function generateLabFleet(dir, n, { labDir, cm = true }) {
  cpSync(labDir, dir, { recursive: true, filter: (src) => !src.includes(".bootplan") && !src.endsWith("systems.yaml") && (cm || !src.endsWith("cm.yaml")) });
  // Without CM: the same fleet with every manage: binding removed, to measure what the handoff costs.
  const noManage = (lines) => {
    const out = [];
    let depth = -1; // indentation of the manage: key being dropped, -1 when none
    for (const l of lines) {
      const indent = l.search(/\S/);
      if (depth >= 0 && (indent < 0 || indent > depth)) continue;
      depth = /^\s+manage:/.test(l) ? indent : -1;
      if (depth < 0) out.push(l);
    }
    return out;
  };
  if (!cm) {
    const profiles = join(dir, "profiles.yaml");
    writeFileSync(profiles, noManage(readFileSync(profiles, "utf8").split("\n")).join("\n"));
  }
  const lab = readFileSync(join(labDir, "systems.yaml"), "utf8");
  // The lab's systems, each as its YAML lines after the name (indented four spaces).
  const templates = [];
  for (const block of lab.split(/^  (?=[a-z0-9-]+:\n)/m).slice(1)) {
    const [head, ...body] = block.split("\n");
    const kept = body.filter((l) => l.startsWith("    ") && !/^\s+(hostname|interfaces):/.test(l));
    templates.push({ name: head.replace(/:$/, ""), body: cm ? kept : noManage(kept) });
  }
  mkdirSync(join(dir, "systems"), { recursive: true });
  const perFile = 1000;
  for (let f = 0; f * perFile < n; f++) {
    const lines = ["systems:"];
    for (let i = f * perFile; i < Math.min(n, (f + 1) * perFile); i++) {
      const t = templates[i % templates.length];
      const id = String(i).padStart(6, "0");
      const mac = `52:55:${((i >> 16) & 255).toString(16).padStart(2, "0")}:${((i >> 8) & 255).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}:01`;
      const ip = `10.${16 + ((i >> 16) & 255)}.${(i >> 8) & 255}.${i & 255}/8`;
      lines.push(`  ${t.name}-${id}:`, ...t.body.filter((l) => /^    profile:/.test(l)), `    hostname: ${t.name}-${id}.lab.example`,
        `    interfaces: [{name: eth0, mac: "${mac}", ip: ${ip}, gateway: 10.0.2.2, dns: [10.0.2.3]}]`,
        ...t.body.filter((l) => !/^    profile:/.test(l)));
    }
    writeFileSync(join(dir, "systems", `systems-${String(f).padStart(3, "0")}.yaml`), lines.join("\n") + "\n");
  }
  return join(dir, "systems", "systems-000.yaml");
}
