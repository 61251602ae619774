// A throwaway PostgreSQL 15 cluster, for the tests and the benchmark: initdb in a temp dir, the server on
// a free port on 127.0.0.1 (its socket in the temp dir), trust auth for one role, stopped by PID.
// As root, initdb and postgres run as the unprivileged `postgres` user (they refuse to run as root).
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where Debian installs PostgreSQL 15's server binaries. */
export const PG_BIN = process.env.BOOTPLAN_PG_BIN ?? "/usr/lib/postgresql/15/bin";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const isRoot = () => userInfo().uid === 0;

/** Why a cluster cannot start here, or undefined when it can. */
export function postgresUnavailable() {
  if (!existsSync(join(PG_BIN, "initdb")) || !existsSync(join(PG_BIN, "postgres"))) return `PostgreSQL 15 server binaries not found in ${PG_BIN} (apt-get install postgresql)`;
  if (isRoot() && spawnSync("id", ["-u", "postgres"]).status !== 0) return "running as root and there is no postgres user to run initdb as";
  return undefined;
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function command(bin, args) {
  return isRoot() ? ["runuser", ["-u", "postgres", "--", join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];
}

/** initdb + postgres on a free port; resolves to {url, port, pid, stop} once it accepts connections (bounded). */
export async function startPostgres({ fsync = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "bootplan-pg-"));
  const data = join(dir, "data");
  if (isRoot()) {
    const id = (flag) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, id("-u"), id("-g"));
  }
  chmodSync(dir, 0o700);
  const [initCmd, initArgs] = command("initdb", ["-D", data, "-U", "bootplan", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8", timeout: 60_000 });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout || init.error}`);
  }
  const port = await freePort();
  const [cmd, args] = command("postgres", ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`,
    "-c", `fsync=${fsync ? "on" : "off"}`, "-c", "max_connections=50"]);
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log += String(d)));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnSync(join(PG_BIN, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)], { timeout: 5000 }).status === 0) break;
    if (exited() || Date.now() > deadline) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`postgres did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Under runuser the server is runuser's child: stop the postmaster itself, by the PID it recorded.
  const pidFile = join(data, "postmaster.pid");
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : child.pid;
  const stop = async () => {
    try {
      process.kill(pid, "SIGINT"); // fast shutdown
    } catch {
      /* already gone */
    }
    const until = Date.now() + 15_000;
    while (!exited() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (!exited()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://bootplan@127.0.0.1:${port}/postgres`, port, pid, stop };
}
