/**
 * Every command-line option in one table, typed against CliConfig, so the help text, the parser and
 * the config the commands read cannot drift apart. Commands pick their options from here by key.
 */
import { Option, type Command } from "commander";
import { UsageError } from "../errors.js";
import { parseExecutorName, type ExecutorName } from "../executor/types.js";

/** The parsed options any command may receive. */
export interface CliConfig {
  json: boolean;
  markdown: boolean;
  out?: string;
  detailedExitcode: boolean;
  target: string[];
  autoApprove: boolean;
  parallelism: number;
  lockTimeout: number;
  lock: boolean;
  showNewFiles: boolean;
  force: boolean;
  /** state unlock --force: the pid of a live holder the user confirms to unlock. */
  pid?: number;
  package?: string;
  /** enc/inventory: read this state file instead of the one the stack names. */
  state?: string;
  /** enc/inventory: the CM system to read when the state holds several of the type. */
  cmSystem?: string;
  list: boolean;
  host?: string;
  /** explain: show the system's merged CM bindings and where each value came from. */
  cm: boolean;
  /** Most machines worked on over SSH at once (reinstall, facts). */
  sshConcurrency: number;
  /** plan/apply: replace (for a system: reinstall) these addresses even when unchanged. */
  replace: string[];
  /** plan/apply/explain: decide compatibility on facts gathered over SSH rather than declared attributes. */
  useFacts: boolean;
  /** plan/apply/destroy: run providers in-process or in Pulumi's dynamic-provider host (default: stack.yaml's `executor:`). */
  executor?: ExecutorName;
  /** serve: HOST:PORT for HTTP (default: server.url's). */
  listen?: string;
  /** serve: run dnsmasq for TFTP/DHCP (--no-dnsmasq: HTTP only). */
  dnsmasq: boolean;
  /** serve: an interface for dnsmasq to bind besides the configuration's. */
  interface?: string;
  /** state migrate: the backend to copy the state to. */
  to?: string;
  /** explain: list the plugins that apply to the system and why. */
  plugins: boolean;
  debug: boolean;
  color: boolean;
  /** plan/drift: how recorded resources are read back first ("off": --refresh=false). */
  refresh?: "stat" | "full" | "off";
  /** apply/destroy: how progress is shown ("auto": live block on a terminal, sparse lines in a pipe). */
  progress: "auto" | "plain" | "json";
  /** plan/apply: list changed resources by address and counts only, without diffs. */
  compact: boolean;
  /** plan/apply: print the full diff of these addresses ("all": every resource), the rest compact. */
  showDiff: string[];
}

interface OptionSpec<T> {
  flags: string;
  description: string;
  default?: T;
  parse?: (value: string, previous: T) => T;
  /** Options this one cannot be combined with: giving both is an error, not a silent choice. */
  conflicts?: (keyof CliConfig)[];
}

function oneOf<T extends string>(name: string, map: Record<string, T>) {
  return (v: string): T => {
    const hit = map[v.trim().toLowerCase()];
    if (hit === undefined) throw new UsageError(`${name} expects one of ${Object.keys(map).join(", ")}, got ${JSON.stringify(v)}`);
    return hit;
  };
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} expects a whole number of at least 1, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** Parses a duration such as 30s, 2m, 500ms or a bare number of seconds into milliseconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m) throw new UsageError(`--lock-timeout expects a duration like 30s, 2m or 500ms, got ${JSON.stringify(v)}`);
  const n = Number(m[1]);
  return Math.round(m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000);
}

/** The option table. */
export const OPTIONS: { [K in keyof CliConfig]-?: OptionSpec<CliConfig[K]> } = {
  json: { flags: "--json", description: "print JSON (plans validate against schemas/plan.schema.json, drift reports against schemas/drift.schema.json)", default: false, conflicts: ["markdown"] },
  markdown: { flags: "--markdown", description: "print Markdown: a pull-request comment (plan) or an issue body (drift), under 65,536 characters", default: false, conflicts: ["json"] },
  out: { flags: "--out <file>", description: "save the plan to FILE for `bootplan apply FILE`" },
  detailedExitcode: { flags: "--detailed-exitcode", description: "exit 0 when nothing changes, 2 when changes are planned, 1 on error", default: false },
  target: {
    flags: "--target <address>",
    description: "limit to this resource and its dependencies (repeatable), e.g. system.web01",
    default: [],
    parse: (v, prev) => [...(prev ?? []), v],
  },
  autoApprove: { flags: "--auto-approve", description: "apply without asking", default: false },
  parallelism: { flags: "--parallelism <n>", description: "most operations at once", default: 10, parse: positiveInt("--parallelism") },
  lockTimeout: { flags: "--lock-timeout <duration>", description: "wait this long for the state lock (e.g. 30s); default: fail at once", default: 0, parse: parseDuration },
  lock: { flags: "--no-lock", description: "do not take the state lock (read-only plans only)", default: true },
  showNewFiles: { flags: "--show-new-files", description: "print the whole content of files a create writes", default: false },
  force: { flags: "--force", description: "state unlock: even when the holder may still be running; state migrate: replace a state already there", default: false },
  pid: { flags: "--pid <pid>", description: "with --force: confirm the pid of a holder still running on this host", parse: positiveInt("--pid") },
  package: { flags: "--package <name>", description: "explain only this package of the target" },
  state: { flags: "--state <file>", description: "read this state file instead of the one the stack's stack.yaml names" },
  cmSystem: { flags: "--cm-system <name>", description: "the CM system to read when the state holds several of this type" },
  list: { flags: "--list", description: "print the whole inventory (Ansible dynamic inventory)", default: false },
  host: { flags: "--host <name>", description: "print one host's variables (Ansible dynamic inventory)" },
  cm: { flags: "--cm", description: "show the system's merged CM bindings and where each value came from", default: false },
  sshConcurrency: { flags: "--ssh-concurrency <n>", description: "most machines worked on over SSH at once", default: 16, parse: positiveInt("--ssh-concurrency") },
  replace: {
    flags: "--replace <address>",
    description: "replace this resource even when unchanged (repeatable); for a system: reinstall it, e.g. system.web01",
    default: [],
    parse: (v, prev) => [...(prev ?? []), v],
  },
  useFacts: { flags: "--use-facts", description: "decide compatibility on facts gathered over SSH (systems with ssh:) instead of declared attributes", default: false },
  executor: { flags: "--executor <name>", description: "run providers in-process or in Pulumi's own dynamic-provider host: in-process | pulumi-host (default: stack.yaml's executor:, else in-process)", parse: (v) => parseExecutorName(v) },
  listen: { flags: "--listen <host:port>", description: "serve HTTP here (default: the host and port of the stack's server.url)" },
  dnsmasq: { flags: "--no-dnsmasq", description: "serve HTTP only; the rendered dnsmasq.conf is for an existing dnsmasq", default: true },
  interface: { flags: "--interface <name>", description: "bind dnsmasq to this interface too (one serve instance per network)" },
  to: { flags: "--to <backend>", description: "the backend to copy the state to: postgres or file" },
  plugins: { flags: "--plugins", description: "list the plugins that apply to the system, why, and their hooks", default: false },
  debug: { flags: "--debug", description: "print stack traces for errors", default: false },
  color: { flags: "--no-color", description: "plain output without colours (also NO_COLOR; FORCE_COLOR colours a pipe)", default: true },
  refresh: {
    flags: "--refresh <mode>",
    description: "read recorded resources back first: true (the default: stat files, hash the changed ones), full (hash every file), false (skip)",
    parse: oneOf<"stat" | "full" | "off">("--refresh", { true: "stat", stat: "stat", full: "full", false: "off", off: "off" }),
  },
  progress: {
    flags: "--progress <mode>",
    description: "auto (live block on a terminal, a line every few seconds in a pipe), plain, or json (one event per line on stdout)",
    default: "auto",
    parse: oneOf("--progress", { auto: "auto", plain: "plain", json: "json" }),
  },
  compact: { flags: "--compact", description: "list changed resources by address and counts, without diffs (the default above 200 changes)", default: false, conflicts: ["json", "markdown"] },
  showDiff: {
    flags: "--show-diff <address>",
    description: "print the whole diff of this resource (repeatable; `all` for every one), the others compact",
    default: [],
    parse: (v, prev) => [...(prev ?? []), v],
    conflicts: ["json", "markdown"],
  },
};

/** Adds the named options from the table to a command. */
export function withOptions<K extends keyof CliConfig>(cmd: Command, keys: K[]): Command {
  for (const key of keys) {
    const spec = OPTIONS[key] as OptionSpec<unknown>;
    const opt = new Option(spec.flags, spec.description);
    if (spec.parse) opt.argParser(spec.parse as (v: string, p: unknown) => unknown);
    if (spec.conflicts) opt.conflicts(spec.conflicts.filter((k) => keys.includes(k as K)));
    // Off switches, empty lists and zero are the natural "not given"; only real defaults show in --help.
    const shown = spec.default !== undefined && spec.default !== false && spec.default !== 0 && !(Array.isArray(spec.default) && !spec.default.length);
    if (shown && !spec.flags.startsWith("--no-")) opt.default(spec.default);
    cmd.addOption(opt);
  }
  return cmd;
}

/** The options every command shares. */
export const GLOBAL_OPTIONS: (keyof CliConfig)[] = ["debug", "color"];
