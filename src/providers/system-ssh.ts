/**
 * The system provider's create and read: a system's files as for every file-writing resource; for a
 * system with `ssh`, the create that completes a replace reinstalls the running machine through the
 * helper, and a full read (refresh "full") reports what its facts say about the declared attributes.
 */
import type { ReinstallBootFile, ReinstallInputs, SshSettings } from "../model/ssh.js";
import { compareFacts, gatherFacts } from "../remote/facts.js";
import type { BootSource, StageResult } from "../remote/reinstall.js";
import { stageReinstall } from "../remote/reinstall.js";
import { sharedPool } from "../remote/shared-pool.js";
import { sshTarget } from "../remote/target.js";
import { resolve } from "node:path";
import { pathInside } from "../util/safe-path.js";
import { applyFiles, readFiles } from "./files-impl.js";
import { REPLACING_INPUT, SECRET_INPUT } from "./types.js";

type Props = Record<string, unknown>;

function target(props: Props) {
  return sshTarget(`system.${String(props.name)}`, props.ssh as SshSettings, (props[SECRET_INPUT] ?? {}) as Record<string, string>);
}

/** Stages the reinstall on the running machine (and reboots it into the installer unless `ssh.reboot` is false). */
export async function reinstallSystem(props: Props): Promise<StageResult> {
  const ssh = props.ssh as SshSettings;
  const r = props.reinstall as ReinstallInputs;
  // A root recorded relative to the stack resolves against the run's base directory when one is given.
  const base = (props.__runtime as { base?: string } | undefined)?.base;
  const root = base ? resolve(base, props.root as string) : (props.root as string);
  const source = (f: ReinstallBootFile): BootSource => ("file" in f ? { file: pathInside(root, f.file), sha256: f.sha256 } : { url: f.url });
  return sharedPool().withSession(target(props), (s) =>
    stageReinstall(s, { method: r.method, kernel: source(r.kernel), initrd: source(r.initrd), cmdline: r.cmdline, reboot: ssh.reboot, helper: { dir: ssh.helperDir, sudo: ssh.sudo } }),
  );
}

/** Writes the system's files; when this create completes a replace of a system with ssh, reinstalls it (files first: the installer fetches them). */
export async function createSystem(inputs: Props): Promise<Props> {
  const outs = applyFiles(inputs);
  if (inputs[REPLACING_INPUT] === true && inputs.ssh) await reinstallSystem(inputs);
  return outs;
}

/**
 * The files' hashes as on disk; for a system with ssh and a full refresh, also `attributes` as its
 * facts show them (each declared attribute the facts cover takes the discovered value), so a generic
 * comparison with the record reports the drift. A default refresh opens no SSH connection.
 */
export async function readSystem(props: Props): Promise<Props> {
  const now = readFiles(props);
  const refresh = (props.__runtime as { refresh?: string } | undefined)?.refresh;
  return props.ssh && refresh === "full" ? readSystemFacts(now) : now;
}

async function readSystemFacts(props: Props): Promise<Props> {
  const ssh = props.ssh as SshSettings;
  const facts = await sharedPool().withSession(target(props), (s) => gatherFacts(s, { dir: ssh.helperDir, sudo: ssh.sudo }));
  const declared = (props.attributes ?? {}) as Record<string, unknown>;
  const attributes = { ...declared };
  for (const d of compareFacts(declared, facts)) attributes[d.attribute] = d.discovered;
  const { [SECRET_INPUT]: _drop, ...rest } = props;
  return { ...rest, attributes };
}
