/** The bootplan command line: wires each command to its module, maps errors to exit codes. */
import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { BootplanError } from "../errors.js";
import { GLOBAL_OPTIONS, withOptions, type CliConfig } from "./options.js";
import { processIo, type Io } from "./output.js";
import { closePgConnections } from "../state/pg-connect.js";

/** Exit codes: 0 success (no changes), 1 error, 2 changes present (with --detailed-exitcode), 130 interrupted. */
export const EXIT = { ok: 0, error: 1, changes: 2, interrupted: 130 } as const;

function packageVersion(): string {
  return (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
}

function program(io: Io, setCode: (n: number) => void): Command {
  const p = new Command("bootplan")
    .description("Declarative provisioning for fleets of physical and virtual machines: plan, apply, drift.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run bootplan help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  // Commands load their module only when run, so a quick command never pays for the others' imports.
  const cmd = (name: string, description: string, keys: (keyof CliConfig)[]): Command =>
    withOptions(p.command(name).description(description), [...keys, ...GLOBAL_OPTIONS]);

  cmd("validate", "check a stack's files without touching state", [])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/validate.js")).validateCommand(dir, o, io)));

  cmd("plan", "show what apply would change", ["json", "markdown", "out", "detailedExitcode", "target", "lockTimeout", "lock", "showNewFiles", "replace", "useFacts", "sshConcurrency", "executor", "refresh", "compact", "showDiff"])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/plan.js")).planCommand(dir, o, io)));

  cmd("apply", "apply the stack's plan, or a plan saved with plan --out", ["autoApprove", "parallelism", "target", "lockTimeout", "showNewFiles", "replace", "useFacts", "sshConcurrency", "executor", "refresh", "progress", "compact", "showDiff"])
    .argument("[dir|planfile]", "stack directory or saved plan", ".")
    .action(async (t: string, o: CliConfig) => setCode(await (await import("./commands/apply.js")).applyCommand(t, o, io)));

  cmd("destroy", "remove everything the stack's state records", ["autoApprove", "parallelism", "target", "lockTimeout", "executor", "progress"])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/apply.js")).applyCommand(dir, o, io, true)));

  cmd("drift", "compare what bootplan recorded with what is really there: exit 0 no drift, 2 drift, 1 error", ["json", "markdown", "refresh", "lockTimeout", "lock"])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/drift.js")).driftCommand(dir, o, io)));

  cmd("explain", "show how compatibility is decided for a target, step by step (--cm: its CM bindings, --plugins: its plugins)", ["package", "cm", "plugins", "json", "useFacts"])
    .argument("<address>", "target address, e.g. system.web01")
    .argument("[dir]", "stack directory", ".")
    .action(async (address: string, dir: string, o: CliConfig) => setCode(await (await import("./commands/explain.js")).explainCommand(address, dir, o, io)));

  cmd("enc", "print a node's Puppet ENC YAML as last handed over (Puppet's external_nodes command)", ["state", "cmSystem"])
    .argument("<fqdn>", "the node's certname (Puppet passes it as the last argument)")
    .argument("[dir]", "stack directory whose stack.yaml names the state file", ".")
    .action(async (fqdn: string, dir: string, o: CliConfig) => setCode(await (await import("./commands/enc.js")).encCommand(fqdn, dir, o, io)));

  cmd("inventory", "an Ansible dynamic inventory of what was last handed over (--list or --host H)", ["list", "host", "state", "cmSystem"])
    .argument("[dir]", "stack directory whose stack.yaml names the state file", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/inventory.js")).inventoryCommand(dir, o, io)));

  cmd("power", "power a system on, off or through a cycle via its BMC (a guest via its hypervisor), or show its power state", [])
    .argument("<address>", "system.NAME (with power:) or guest.NAME")
    .argument("<action>", "on, off, cycle or status")
    .argument("[dir]", "stack directory", ".")
    .action(async (address: string, action: string, dir: string, o: CliConfig) => setCode(await (await import("./commands/power.js")).powerCommand(address, action, dir, o, io)));

  cmd("facts", "gather a running machine's facts through the helper over SSH and compare them with its declared attributes", ["json", "sshConcurrency"])
    .argument("<address>", "system address, e.g. system.web01")
    .argument("[dir]", "stack directory", ".")
    .action(async (address: string, dir: string, o: CliConfig) => setCode(await (await import("./commands/facts.js")).factsCommand(address, dir, o, io)));

  cmd("ssh-keyscan", "print the host key a system's SSH server offers, as the line to pin in hostKey:", [])
    .argument("<address>", "system address, e.g. system.web01")
    .argument("[dir]", "stack directory", ".")
    .action(async (address: string, dir: string, o: CliConfig) => setCode(await (await import("./commands/ssh-keyscan.js")).sshKeyscanCommand(address, dir, o, io)));

  cmd("serve", "serve the provisioning root: HTTP, and TFTP/DHCP through dnsmasq, until SIGTERM/SIGINT", ["listen", "dnsmasq", "interface"])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/serve.js")).serveCommand(dir, o, io)));

  const state = p.command("state").description("inspect the recorded state");
  withOptions(state.command("list").description("list recorded resources"), ["json", ...GLOBAL_OPTIONS])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/state.js")).stateListCommand(dir, o, io)));
  withOptions(state.command("show").description("show one recorded resource (secrets masked)"), GLOBAL_OPTIONS)
    .argument("[dir]", "stack directory", ".")
    .argument("<address>", "resource address, e.g. system.web01")
    .action(async (dir: string, address: string, o: CliConfig) => setCode(await (await import("./commands/state.js")).stateShowCommand(dir, address, o, io)));
  withOptions(state.command("unlock").description("release a state lock whose process is gone"), ["force", "pid", ...GLOBAL_OPTIONS])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/state.js")).stateUnlockCommand(dir, o, io)));
  withOptions(state.command("migrate").description("copy the state to the other backend (--to postgres|file), checked by digest"), ["to", "force", ...GLOBAL_OPTIONS])
    .argument("[dir]", "stack directory", ".")
    .action(async (dir: string, o: CliConfig) => setCode(await (await import("./commands/state.js")).stateMigrateCommand(dir, o, io)));
  return p;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const debug = argv.includes("--debug");
  try {
    await program(io, (n) => (code = n)).parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    const known = err instanceof BootplanError || (err instanceof Error && typeof (err as { code?: unknown }).code === "string" && "isUserError" in err);
    if (known && (err as BootplanError).isUserError) {
      const all = (err as { errors?: Error[] }).errors;
      for (const e of all?.length ? all : [err as Error]) io.err(`Error: ${e.message}\n`);
      if (debug) io.err(`${(err as Error).stack}\n`);
    } else {
      io.err(`Error: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      io.err(debug ? `${(err as Error)?.stack}\n` : "This is a bug in bootplan; run again with --debug for a stack trace and report it.\n");
    }
    return EXIT.error;
  } finally {
    // A PostgreSQL state's connections would keep the process alive.
    await closePgConnections();
  }
}
