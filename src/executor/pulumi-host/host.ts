/** One of Pulumi's dynamic-provider host processes (`@pulumi/pulumi/cmd/dynamic-provider`), as bootplan runs it. */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { InternalError } from "../../errors.js";

const require = createRequire(import.meta.url);

/**
 * bootplan's package directory (the checkout, or node_modules/bootplan when installed). The host runs
 * there: Pulumi's host evaluates the serialized provider as a module at its working directory, so the
 * provider's `import("bootplan/...")` resolves to this very package whatever directory the stack is in.
 */
export const PACKAGE_DIR = fileURLToPath(new URL("../../../", import.meta.url));

/** The host program Pulumi runs for every Node.js dynamic provider (the pulumi-resource-pulumi-nodejs plugin). */
export function hostProgram(): string {
  return require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
}

/**
 * Preloaded into the host (`node --import`): it exits when bootplan closes its stdin or dies, so no
 * host outlives the command. The host itself ignores SIGTERM, and a killed bootplan could signal nothing.
 */
const WATCHDOG = "data:text/javascript,process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();";
const STDERR_KEPT = 8 * 1024;

/** A running host: the port it serves on, and how it ended if it did. */
export class HostProcess {
  private stderr = "";
  /** Set when the process has exited: its code or signal. */
  exit?: string;

  private constructor(
    private readonly child: ChildProcess,
    /** The 127.0.0.1 port the host's ResourceProvider service listens on. */
    readonly port: number,
  ) {}

  /** The process id. */
  get pid(): number {
    return this.child.pid!;
  }

  /** The last lines the host wrote to stderr (Pulumi's host logs provider errors there). */
  stderrTail(): string {
    return this.stderr.trim().split("\n").slice(-3).join(" | ");
  }

  /**
   * Starts a host as Pulumi's engine does (the engine address as its argument, the project in
   * PULUMI_NODEJS_PROJECT) and waits for the port it prints.
   */
  static async start(opts: { engineAddress: string; startTimeoutMs?: number }): Promise<HostProcess> {
    const child = spawn(process.execPath, ["--import", WATCHDOG, hostProgram(), opts.engineAddress], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, PULUMI_NODEJS_PROJECT: "bootplan", PULUMI_PROJECT: "bootplan" },
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group: a Ctrl-C at the terminal reaches bootplan, which finishes the operations
      // in flight through the host before stopping it; the watchdog ends the host when bootplan goes.
      detached: true,
    });
    let early = "";
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not print its port within ${(opts.startTimeoutMs ?? 30_000) / 1000} s`), opts.startTimeoutMs ?? 30_000);
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new InternalError(`Pulumi's dynamic-provider host (${hostProgram()}) ${why}${early.trim() ? `: ${early.trim().split("\n").slice(-3).join(" | ")}` : ""}`));
      };
      let out = "";
      child.stdout!.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.stderr!.on("data", (b: Buffer) => void (early += b.toString()));
      child.once("error", (e) => fail(`could not start: ${e.message}`));
      child.once("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before serving`));
    });
    const host = new HostProcess(child, port);
    host.stderr = early;
    child.removeAllListeners("exit");
    child.stderr!.removeAllListeners("data");
    child.stderr!.on("data", (b: Buffer) => {
      host.stderr = (host.stderr + b.toString()).slice(-STDERR_KEPT);
    });
    child.stdout!.resume(); // anything a provider prints to stdout is not bootplan's output
    child.on("exit", (code, signal) => void (host.exit = signal ?? `code ${code}`));
    // A pending host must not keep bootplan alive, and bootplan's exit must end the host (watchdog).
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    return host;
  }

  /** Ends the host: closing stdin makes the watchdog exit it; SIGKILL if it has not gone within a second. */
  async stop(): Promise<void> {
    if (this.exit) return;
    const gone = new Promise<void>((res) => this.child.once("exit", () => res()));
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 1000);
    await gone;
    clearTimeout(t);
  }
}

