/**
 * `bootplan power ADDRESS on|off|cycle|status [DIR]`: an operator's power control. A system goes
 * through its BMC (`power:`, ipmitool, password from its secret); a guest through its hypervisor (virsh).
 */
import { ResourceError, UsageError } from "../../errors.js";
import type { Stack } from "../../model/stack.js";
import { loadStack } from "../../stack/load.js";
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";

const ACTIONS = ["on", "off", "cycle", "status"] as const;
type Action = (typeof ACTIONS)[number];

async function systemPower(stack: Stack, name: string, action: Action, io: Io): Promise<string> {
  const power = stack.systems[name]?.power;
  if (!power) throw new UsageError(`system.${name} has no power: in the stack (declare power: {type: ipmi, host, user, password: {secret: NAME}})`);
  const { readSecrets } = await import("../../secrets/secrets.js");
  const { runPowerAction } = await import("../../power/ipmi.js");
  const password = readSecrets(stack, [power.password.secret], io.env)[power.password.secret];
  return runPowerAction(power, password, action);
}

async function guestPower(stack: Stack, name: string, action: Action): Promise<string> {
  const { uri } = stack.guests[name];
  const { virsh } = await import("../../virt/virsh.js");
  const state = async () => (await virsh(uri, ["domstate", name])).trim().split("\n")[0];
  const before = await state();
  const running = before === "running" || before === "paused";
  if (action === "on" && !running) await virsh(uri, ["start", name]);
  if (action === "off" && running) await virsh(uri, ["destroy", name]);
  if (action === "cycle") await virsh(uri, running ? ["reset", name] : ["start", name]);
  const after = await state();
  return after === "running" ? "on" : after === "shut off" ? "off" : after;
}

/** Runs the power action; prints the power state afterwards. */
export async function powerCommand(address: string, action: string, dir: string, opts: CliConfig, io: Io): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`power: action must be one of ${ACTIONS.join(", ")}, got ${JSON.stringify(action)}`);
  const m = /^(system|guest)\.(.+)$/.exec(address);
  if (!m) throw new UsageError(`power: expected an address like system.web01 or guest.vm01, got ${JSON.stringify(address)}`);
  const stack = loadStack(dir);
  const [, kind, name] = m;
  const isGuest = name in stack.guests;
  if (!stack.systems[name] || (kind === "guest" && !isGuest)) throw new UsageError(`power: no ${kind} named ${JSON.stringify(name)} in stack ${stack.name}`);
  try {
    const state = kind === "guest" || (isGuest && !stack.systems[name].power)
      ? await guestPower(stack, name, action as Action)
      : await systemPower(stack, name, action as Action, io);
    io.out(action === "status" ? `${address}: power ${state}\n` : `${address}: power ${action} done; power is ${state}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || !(err instanceof Error) || !("code" in err)) throw err;
    throw new ResourceError(address, err.message, String((err as { code: unknown }).code));
  }
}
