/**
 * The power half of the system provider: creating a system (an install or reinstall) of a netbooting
 * machine with `power:` sets its next boot to PXE and power-cycles it; reading a system reports the
 * power state its BMC gives. Loaded by the provider's methods inside their bodies (serializable).
 */
import { bootIntoInstaller, PowerError, powerState, type Bmc } from "../power/ipmi.js";
import { SECRET_INPUT } from "./types.js";

type Props = Record<string, unknown>;

/** A system's recorded `power` input: the BMC and the name of the secret holding its password. */
type PowerProps = Bmc & { passwordSecret: string };

function passwordOf(props: Props, power: PowerProps): string | undefined {
  return ((props[SECRET_INPUT] ?? {}) as Record<string, string>)[power.passwordSecret];
}

/** After a create has written the system's files: boots the machine into its installer through the BMC, when it has one and netboots. */
export async function powerOnInstall(inputs: Props, outs: Props): Promise<Props> {
  const power = inputs.power as PowerProps | undefined;
  if (!power || inputs.netboot === false) return outs;
  const password = passwordOf(inputs, power);
  if (password === undefined) throw new PowerError("power.no-password", `the password of BMC ${power.host}:${power.port} (secret ${power.passwordSecret}) was not provided`);
  return { ...outs, observed: { power: await bootIntoInstaller(power, password) } };
}

/**
 * `read` of a system with power control: `observed.powerState` is what the BMC says when the caller
 * passed its password (as `__secrets`, like create), "unknown: why" otherwise. Never fails the read.
 */
export async function readPower(props: Props, read: Props): Promise<Props> {
  const power = props.power as PowerProps | undefined;
  if (!power) return read;
  const password = passwordOf(props, power);
  let state: string;
  try {
    state = password === undefined ? "unknown: no BMC password given to read" : await powerState(power, password, true);
  } catch (err) {
    state = `unknown: ${err instanceof Error ? err.message : String(err)}`;
  }
  return { ...read, observed: { ...(props.observed as Props | undefined), powerState: state } };
}
