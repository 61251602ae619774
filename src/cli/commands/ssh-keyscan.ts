/** `bootplan ssh-keyscan system.NAME [DIR]`: the host key a system offers, printed as the line to pin. */
import { knownHostsName } from "../../remote/host-keys.js";
import { scanHostKey } from "../../remote/pool.js";
import { loadStack } from "../../stack/load.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";
import { systemWithSsh } from "../ssh-targets.js";

/** Prints `TYPE BASE64` (for hostKey:) on stdout, and the fingerprint and known_hosts form on stderr. */
export async function sshKeyscanCommand(address: string, dir: string, _opts: CliConfig, io: Io): Promise<number> {
  const stack = loadStack(dir);
  const name = systemWithSsh(stack, address, "ssh-keyscan");
  const { host, port } = stack.systems[name].ssh!;
  const k = await scanHostKey(host, port);
  io.err(`system.${name} (${host}:${port}) offers ${k.type} key ${k.fingerprint}\n`);
  io.err(`Check this fingerprint out of band (on the console: ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub) before pinning it,\n`);
  io.err(`as ssh: {hostKey: "..."} below, or in a known_hosts file as: ${knownHostsName(host, port)} ${k.type} ${k.blob}\n`);
  io.out(`${k.type} ${k.blob}\n`);
  return 0;
}
