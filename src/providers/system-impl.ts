/** The SSH half of the system provider: reinstall through the helper, and facts for `read`. */
import type { ReinstallBootFile, ReinstallInputs, SshSettings } from "../model/ssh.js";
import { compareFacts, gatherFacts } from "../remote/facts.js";
import type { BootSource, StageResult } from "../remote/reinstall.js";
import { stageReinstall } from "../remote/reinstall.js";
import { sharedPool } from "../remote/shared-pool.js";
import { sshTarget } from "../remote/target.js";
import { pathInside } from "../util/safe-path.js";
import { SECRET_INPUT } from "./types.js";

type Props = Record<string, unknown>;

function target(props: Props) {
  return sshTarget(`system.${String(props.name)}`, props.ssh as SshSettings, (props[SECRET_INPUT] ?? {}) as Record<string, string>);
}

/** Stages the reinstall on the running machine (and reboots it into the installer unless `ssh.reboot` is false). */
export async function reinstallSystem(props: Props): Promise<StageResult> {
  const ssh = props.ssh as SshSettings;
  const r = props.reinstall as ReinstallInputs;
  const root = props.root as string;
  const source = (f: ReinstallBootFile): BootSource => ("file" in f ? { file: pathInside(root, f.file), sha256: f.sha256 } : { url: f.url });
  return sharedPool().withSession(target(props), (s) =>
    stageReinstall(s, { method: r.method, kernel: source(r.kernel), initrd: source(r.initrd), cmdline: r.cmdline, reboot: ssh.reboot, helper: { dir: ssh.helperDir, sudo: ssh.sudo } }),
  );
}

/**
 * The recorded props with `attributes` as the machine's facts show them: each declared attribute the
 * facts cover takes the discovered value, so a generic comparison with the record reports the drift.
 */
export async function readSystemFacts(props: Props): Promise<Props> {
  const ssh = props.ssh as SshSettings;
  const facts = await sharedPool().withSession(target(props), (s) => gatherFacts(s, { dir: ssh.helperDir, sudo: ssh.sudo }));
  const declared = (props.attributes ?? {}) as Record<string, unknown>;
  const attributes = { ...declared };
  for (const d of compareFacts(declared, facts)) attributes[d.attribute] = d.discovered;
  const { [SECRET_INPUT]: _drop, ...rest } = props;
  return { ...rest, attributes };
}
