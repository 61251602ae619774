/** `bootplan serve [DIR]`: the provisioning server in the foreground until SIGTERM or SIGINT. */
import type { CliConfig } from "../options.js";
import type { Io } from "../output.js";
import { openSession } from "../session.js";

/** Runs the server; resolves to 0 once stopped by a signal. */
export async function serveCommand(dir: string, opts: CliConfig, io: Io): Promise<number> {
  const { startServer } = await import("../../serve/server.js");
  const s = await openSession(dir, io);
  const log = (line: string) => io.out(`${new Date().toISOString()} ${line}\n`);
  const server = await startServer(s, { listen: opts.listen, dnsmasq: opts.dnsmasq, interface: opts.interface, env: io.env, log });
  const settings = s.stack.serve;
  log(`bootplan serve: stack ${s.stack.name}, root ${s.stack.provisioningRoot}, HTTP on ${server.url}` +
    (server.dnsmasqPid ? `, dnsmasq pid ${server.dnsmasqPid} (DHCP ${settings?.dhcp ?? "static"}, TFTP)` : ", no dnsmasq"));
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      log(`${sig}: stopping`);
      server.stop().then(resolve, resolve);
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    process.on("SIGTERM", onTerm);
    process.on("SIGINT", onInt);
  });
  log("bootplan serve stopped");
  return 0;
}
