/** `bootplan facts system.NAME [DIR]`: a running machine's facts through the helper, and where they differ from the declared attributes. */
import { compareFacts, gatherFacts, type Facts, type FactDifference } from "../../remote/facts.js";
import { sharedPool } from "../../remote/shared-pool.js";
import { sshTarget } from "../../remote/target.js";
import { loadStack } from "../../stack/load.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";
import { sshSecrets, systemWithSsh, withSshPool } from "../ssh-targets.js";

function gib(bytes: number | null): string {
  return bytes === null ? "?" : `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** The facts as terminal text, then the differences from the declared attributes. */
export function renderFacts(address: string, where: string, f: Facts, diffs: FactDifference[], declared: string[]): string {
  const tools = Object.entries(f.bootTools).filter(([, v]) => v).map(([k]) => k);
  const rows: [string, string][] = [
    ["hostname", f.hostname], ["os", `${f.os.prettyName || f.os.id} (${f.os.id} ${f.os.versionId})`], ["kernel", f.kernel],
    ["arch", f.arch], ["firmware", f.firmware], ["memoryMiB", String(f.memoryMiB ?? "?")], ["cpus", String(f.cpus ?? "?")],
    ["cpuFlags", `${f.cpuFlags.length} flags`], ["disks", f.disks.map((d) => `${d.name} ${gib(d.sizeBytes)}`).join(", ") || "none"],
    ["interfaces", f.interfaces.map((i) => `${i.name} ${i.mac}`).join(", ") || "none"], ["boot tools", tools.join(", ") || "none"],
  ];
  const out = [`${address} (${where}), helper ${f.version}:`, ...rows.map(([k, v]) => `  ${k.padEnd(11)}${v}`)];
  if (diffs.length) {
    out.push("differs from the declared attributes:");
    for (const d of diffs) out.push(`  ${d.attribute.padEnd(11)}declared ${JSON.stringify(d.declared)}, discovered ${JSON.stringify(d.discovered)}`);
  } else {
    out.push(declared.length ? `matches the declared attributes (${declared.join(", ")})` : "no declared attributes to compare");
  }
  return out.join("\n") + "\n";
}

/** Gathers and prints the facts of one system; exit 0 (differences are information, not an error). */
export async function factsCommand(address: string, dir: string, opts: CliConfig, io: Io): Promise<number> {
  const stack = loadStack(dir);
  const name = systemWithSsh(stack, address, "facts");
  const sys = stack.systems[name];
  const ssh = sys.ssh!;
  const secrets = sshSecrets(stack, [name], io);
  const facts = await withSshPool(opts, () =>
    sharedPool().withSession(sshTarget(`system.${name}`, ssh, secrets), (s) => gatherFacts(s, { dir: ssh.helperDir, sudo: ssh.sudo })),
  );
  const diffs = compareFacts(sys.attributes, facts);
  if (opts.json) io.out(JSON.stringify({ system: `system.${name}`, facts, differences: diffs }, null, 2) + "\n");
  else {
    const compared = Object.keys(sys.attributes).filter((k) => ["arch", "firmware", "memoryMiB", "cpus", "cpuFlags"].includes(k));
    io.out(renderFacts(`system.${name}`, `${ssh.user}@${ssh.host}:${ssh.port}`, facts, diffs, compared));
  }
  return 0;
}
