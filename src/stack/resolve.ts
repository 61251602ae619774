/** Turns raw stack entries into the typed model: references checked, inheritance merged, paths resolved. */
import { sha256Hex as sha256 } from "../util/hash.js";
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve as resolvePath, sep } from "node:path";
import { StackError, StackErrors, type SourcePosition } from "../errors.js";
import type { AnswerFormat, BootFile, Distro, OsFamily, Profile, Repo, SecretSource, Stack, System } from "../model/stack.js";
import { isIpv4, isMulticastMac, parseCidr, parseMac } from "../util/net.js";
import { deepMerge } from "../util/merge.js";
import { lazyPosition, locate, type DocPath } from "./yaml.js";
import { declaresSystemsOnly } from "./fingerprint.js";
import { compileCompat } from "../compat/compile.js";
import { checkSystemAttributes, readProfileRequirements, readRequirements, resolveOverrides, resolvePackages } from "../compat/declare.js";
import type { RawEntry, RawStack } from "./raw.js";
import { resolveCm } from "../cm/resolve.js";
import { checkLocations, checkSystemValues } from "./check-values.js";
import { addGuestSystems, resolveGuests } from "../virt/resolve.js";
import { attachPower } from "../power/resolve.js";
import { resolveSsh } from "./ssh.js";
import { serveSettings } from "./serve-settings.js";
import { stateSettings } from "./state-settings.js";
import { resolvePlugins } from "../plugins/declare.js";

/** The answer-file format each OS family's installer reads. */
export const FORMAT_FOR_FAMILY: Record<OsFamily, AnswerFormat> = { debian: "preseed", ubuntu: "autoinstall", rhel: "kickstart" };

/** Collects errors so one run reports every problem, not just the first. */
class Problems {
  readonly list: StackError[] = [];
  at(e: RawEntry, sub: DocPath, code: string, detail: string, at: "key" | "value" = "value"): void {
    this.list.push(new StackError(code, locate(e.file, [...e.path, ...sub], at), detail));
  }
}

const where = (e: RawEntry): SourcePosition => lazyPosition(e.file, e.path, "key");
const addr = (e: RawEntry, ...sub: (string | number)[]): string =>
  [e.path.join("."), ...sub].join(".").replace(/\.(\d+)(?=\.|$)/g, "[$1]");

/** A path from the stack that must stay inside the stack directory. */
function stackFile(dir: string, rel: string): string | undefined {
  const abs = resolvePath(dir, rel);
  const back = relative(dir, abs);
  return back.startsWith("..") || isAbsolute(back) ? undefined : abs;
}


function resolveBootFile(stackDir: string, e: RawEntry, key: "kernel" | "initrd", p: Problems, fp: string[]): BootFile {
  const raw = e.value[key] as { url?: string; path?: string; sha256?: string };
  if (raw.url && raw.path) p.at(e, [key], "stack.boot-file", `${addr(e, key)}: give either url (linked) or path (hosted), not both`);
  if (raw.url) return { kind: "linked", url: raw.url };
  if (!raw.path) {
    p.at(e, [key], "stack.boot-file", `${addr(e, key)}: expected url (linked) or path + sha256 (hosted), found neither`);
    return { kind: "linked", url: "" };
  }
  if (!raw.sha256) p.at(e, [key], "stack.boot-file", `${addr(e, key)}: a hosted boot file needs sha256 so its copy can be verified`);
  const abs = stackFile(stackDir, raw.path);
  if (!abs) {
    p.at(e, [key, "path"], "stack.path-escape", `${addr(e, key, "path")}: ${JSON.stringify(raw.path)} is outside the stack directory`);
  } else if (!existsSync(abs) || !statSync(abs).isFile()) {
    p.at(e, [key, "path"], "stack.missing-file", `${addr(e, key, "path")}: no such file ${JSON.stringify(raw.path)}`);
  } else if (raw.sha256) {
    const actual = sha256(readFileSync(abs));
    if (actual !== raw.sha256) {
      p.at(e, [key, "sha256"], "stack.checksum-mismatch", `${addr(e, key)}: ${raw.path} has sha256 ${actual}, the stack expects ${raw.sha256}`);
    }
    fp.push(`boot:${raw.path}:${raw.sha256}`);
  }
  return { kind: "hosted", path: abs ?? "", relPath: raw.path, sha256: raw.sha256 ?? "" };
}

/** Merges a profile with its ancestors; lists append (parent first, no repeats), maps merge deeply. */
function mergeProfileChain(chain: RawEntry[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of chain) {
    for (const [k, v] of Object.entries(e.value)) {
      if (k === "inherits") continue;
      const prev = out[k];
      if (Array.isArray(v) && Array.isArray(prev)) out[k] = [...new Set([...prev, ...v])];
      else if (k === "manage") out[k] = deepMerge(prev, v);
      else if (v && typeof v === "object" && !Array.isArray(v) && prev && typeof prev === "object") out[k] = { ...(prev as object), ...v };
      else out[k] = v;
    }
  }
  return out;
}

function profileChain(e: RawEntry, profiles: Map<string, RawEntry>, p: Problems): RawEntry[] | undefined {
  const chain: RawEntry[] = [e];
  const seen = new Set([e.name]);
  let cur = e;
  while (typeof cur.value.inherits === "string") {
    const parentName = cur.value.inherits;
    const parent = profiles.get(parentName);
    if (!parent) {
      p.at(cur, ["inherits"], "stack.dangling-ref", `${addr(cur, "inherits")}: no profile named ${JSON.stringify(parentName)} (profiles: ${[...profiles.keys()].join(", ") || "none"})`);
      return undefined;
    }
    if (seen.has(parentName)) {
      // Every member of a cycle finds it; only the first by name reports it, with the path from itself.
      const path = [...chain].reverse().map((c) => c.name);
      if (parentName === e.name && path.every((n) => n >= e.name)) {
        p.at(e, ["inherits"], "stack.inheritance-cycle", `${addr(e, "inherits")}: inheritance cycle ${[...path, parentName].join(" -> ")}`);
      }
      return undefined;
    }
    seen.add(parentName);
    chain.unshift(parent);
    cur = parent;
  }
  return chain;
}

function resolveProfiles(raw: RawStack, distros: Record<string, Distro>, p: Problems, fp: string[]): Record<string, Profile> {
  const out: Record<string, Profile> = {};
  const profiles = raw.kinds.profiles;
  for (const e of profiles.values()) {
    const chain = profileChain(e, profiles, p);
    if (!chain) continue;
    const m = mergeProfileChain(chain) as {
      distro?: string; answerFile?: { format?: AnswerFormat; template?: string }; kernelArgs?: string[]; packages?: string[];
      repos?: string[]; rootPassword?: { secret: string }; timezone?: string; locale?: string; manage?: unknown;
      reinstallOn?: string[]; reinstallMethod?: Profile["reinstallMethod"];
    };
    if (!m.distro) {
      p.at(e, [], "stack.missing-key", `${addr(e)}: no distro (set distro: on this profile or one it inherits)`, "key");
      continue;
    }
    const distro = distros[m.distro];
    const declaring = [...chain].reverse().find((c) => c.value.distro !== undefined)!;
    if (!distro) {
      if (raw.kinds.distros.has(m.distro)) continue; // the distro itself is invalid and already reported
      p.at(declaring, ["distro"], "stack.dangling-ref", `${addr(declaring, "distro")}: no distro named ${JSON.stringify(m.distro)} (distros: ${Object.keys(distros).join(", ") || "none"})`);
      continue;
    }
    for (const [i, r] of (e.value.repos as string[] | undefined ?? []).entries()) {
      if (!raw.kinds.repos.has(r)) p.at(e, ["repos", i], "stack.dangling-ref", `${addr(e, "repos", i)}: no repo named ${JSON.stringify(r)}`);
    }
    const secret = e.value.rootPassword as { secret: string } | undefined;
    if (secret && !raw.kinds.secrets.has(secret.secret)) {
      p.at(e, ["rootPassword", "secret"], "stack.dangling-ref", `${addr(e, "rootPassword", "secret")}: no secret named ${JSON.stringify(secret.secret)} under secrets:`);
    }
    const format = m.answerFile?.format ?? FORMAT_FOR_FAMILY[distro.os.family];
    if (format !== FORMAT_FOR_FAMILY[distro.os.family]) {
      const decl = [...chain].reverse().find((c) => (c.value.answerFile as { format?: string } | undefined)?.format)!;
      p.at(decl, ["answerFile", "format"], "stack.incompatible-format", `${addr(decl, "answerFile", "format")}: ${distro.os.family} installers read ${FORMAT_FOR_FAMILY[distro.os.family]}, not ${format} (distro ${distro.name})`);
    }
    let template: string | undefined;
    if (m.answerFile?.template) {
      const decl = [...chain].reverse().find((c) => (c.value.answerFile as { template?: string } | undefined)?.template)!;
      template = stackFile(raw.dir, m.answerFile.template);
      if (!template) p.at(decl, ["answerFile", "template"], "stack.path-escape", `${addr(decl, "answerFile", "template")}: ${JSON.stringify(m.answerFile.template)} is outside the stack directory`);
      else if (!existsSync(template)) p.at(decl, ["answerFile", "template"], "stack.missing-file", `${addr(decl, "answerFile", "template")}: no such template ${JSON.stringify(m.answerFile.template)}`);
      else fp.push(`template:${m.answerFile.template}:${sha256(readFileSync(template))}`);
    }
    out[e.name] = {
      name: e.name,
      lineage: chain.map((c) => c.name),
      distro: distro.name,
      answerFile: { format, template },
      kernelArgs: m.kernelArgs ?? [],
      packages: m.packages ?? [],
      requires: readProfileRequirements(chain, p.list),
      repos: m.repos ?? [],
      rootPassword: m.rootPassword,
      timezone: m.timezone ?? "UTC",
      locale: m.locale ?? "en_US.UTF-8",
      extra: m.manage ? { manage: m.manage } : {},
      ...(m.reinstallOn?.length ? { reinstallOn: m.reinstallOn } : {}),
      ...(m.reinstallMethod ? { reinstallMethod: m.reinstallMethod } : {}),
      source: where(e),
    };
  }
  return out;
}

function resolveSystems(raw: RawStack, profiles: Record<string, Profile>, p: Problems): Record<string, System> {
  const out: Record<string, System> = {};
  // First users of each MAC and IP; their positions are computed only when a duplicate needs naming.
  const macs = new Map<string, { entry: RawEntry; path: (string | number)[] }>();
  const ips = new Map<string, { entry: RawEntry; path: (string | number)[] }>();
  const owner = (o: { entry: RawEntry; path: (string | number)[] }): string =>
    `${o.entry.name} (${o.entry.file.file}:${locate(o.entry.file, [...o.entry.path, ...o.path]).line})`;
  for (const e of raw.kinds.systems.values()) {
    const v = e.value as { profile: string; hostname?: string; interfaces: Record<string, unknown>[]; attributes?: Record<string, unknown>; netboot?: boolean | "once"; kernelArgs?: string[]; manage?: unknown };
    if (!raw.kinds.profiles.has(v.profile)) {
      p.at(e, ["profile"], "stack.dangling-ref", `${addr(e, "profile")}: no profile named ${JSON.stringify(v.profile)} (profiles: ${[...raw.kinds.profiles.keys()].join(", ") || "none"})`);
    }
    const hostname = v.hostname ?? e.name.toLowerCase();
    if (!v.hostname && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(hostname)) {
      p.at(e, [], "stack.invalid-value", `${addr(e)}: the name is not a valid hostname; set hostname:`, "key");
    }
    const interfaces = v.interfaces.map((nic, i) => {
      const mac = parseMac(String(nic.mac));
      const here = { entry: e, path: ["interfaces", i] };
      if (!mac) p.at(e, ["interfaces", i, "mac"], "stack.invalid-mac", `${addr(e, "interfaces", i, "mac")}: expected a MAC address like 52:54:00:12:34:01, found ${JSON.stringify(nic.mac)}`);
      else if (isMulticastMac(mac)) p.at(e, ["interfaces", i, "mac"], "stack.invalid-mac", `${addr(e, "interfaces", i, "mac")}: ${mac} is a multicast address, which no network card boots from`);
      else if (macs.has(mac)) p.at(e, ["interfaces", i, "mac"], "stack.duplicate-mac", `${addr(e, "interfaces", i, "mac")}: MAC ${mac} is already used by system ${owner(macs.get(mac)!)}`);
      else macs.set(mac, here);
      let ip: string | undefined;
      let prefix: number | undefined;
      if (nic.ip !== undefined) {
        const c = parseCidr(String(nic.ip));
        if (!c) p.at(e, ["interfaces", i, "ip"], "stack.invalid-ip", `${addr(e, "interfaces", i, "ip")}: expected an IPv4 address with prefix like 10.0.2.15/24, found ${JSON.stringify(nic.ip)}`);
        else if (ips.has(c.ip)) p.at(e, ["interfaces", i, "ip"], "stack.duplicate-ip", `${addr(e, "interfaces", i, "ip")}: address ${c.ip} is already used by system ${owner(ips.get(c.ip)!)}`);
        else {
          ips.set(c.ip, here);
          ({ ip, prefix } = c);
        }
      }
      if (nic.gateway !== undefined && !isIpv4(String(nic.gateway))) {
        p.at(e, ["interfaces", i, "gateway"], "stack.invalid-ip", `${addr(e, "interfaces", i, "gateway")}: expected an IPv4 address like 10.0.2.2, found ${JSON.stringify(nic.gateway)}`);
      }
      if (nic.gateway !== undefined && nic.ip === undefined) {
        p.at(e, ["interfaces", i, "gateway"], "stack.invalid-ip", `${addr(e, "interfaces", i, "gateway")}: a gateway needs a static ip: on the same interface`);
      }
      const dns = (nic.dns as unknown[] | undefined ?? []).map(String);
      dns.forEach((d, j) => {
        if (!isIpv4(d)) p.at(e, ["interfaces", i, "dns", j], "stack.invalid-ip", `${addr(e, "interfaces", i, "dns", j)}: expected an IPv4 address, found ${JSON.stringify(d)}`);
      });
      return { name: nic.name as string | undefined, mac: mac ?? "", ip, prefix, gateway: nic.gateway as string | undefined, dns };
    });
    const profile = profiles[v.profile];
    if (!profile) continue;
    out[e.name] = {
      name: e.name,
      profile: v.profile,
      hostname,
      interfaces,
      attributes: v.attributes ?? {},
      netboot: v.netboot !== false,
      ...(v.netboot === "once" ? { netbootOnce: true } : {}),
      kernelArgs: v.kernelArgs ?? [],
      extra: v.manage ? { manage: v.manage } : {},
      source: where(e),
    };
  }
  return out;
}

/** Resolves a raw stack into the model; throws StackErrors naming every problem found. */
export function resolveStack(raw: RawStack): Stack {
  const p = new Problems();
  const fp: string[] = raw.files.map((f) => `yaml:${f.rel}:${f.sha256}`);
  const s = raw.settings as { stack: string; provisioningRoot?: string; state?: { path?: string; backend?: "file" | "postgres"; url?: SecretSource; schema?: string }; server?: { url: string }; executor?: Stack["executor"] };
  if (!s.server) p.list.push(new StackError("stack.missing-key", locate(raw.root, []), `(document root): missing required key "server" (the URL targets fetch answer files from)`));
  const inside = (key: "provisioningRoot" | "state", rel: string): string => {
    const abs = stackFile(raw.dir, rel);
    if (abs) return abs;
    p.list.push(new StackError("stack.path-escape", locate(raw.root, key === "state" ? ["state", "path"] : [key]), `${key === "state" ? "state.path" : key}: ${JSON.stringify(rel)} is outside the stack directory`));
    return resolvePath(raw.dir, ".bootplan", "invalid");
  };

  const secrets: Stack["secrets"] = {};
  for (const e of raw.kinds.secrets.values()) {
    const v = e.value as SecretSource;
    if ("file" in v && !stackFile(raw.dir, v.file) && !isAbsolute(v.file)) {
      p.at(e, ["file"], "stack.path-escape", `${addr(e, "file")}: ${JSON.stringify(v.file)} is outside the stack directory`);
    }
    secrets[e.name] = "file" in v ? { file: resolvePath(raw.dir, v.file), source: where(e) } : { env: v.env, source: where(e) };
  }

  const distros: Record<string, Distro> = {};
  for (const e of raw.kinds.distros.values()) {
    const v = e.value as { os: { family: OsFamily; release: string }; arch: string; installTree?: string };
    distros[e.name] = {
      name: e.name,
      os: { family: v.os.family, release: String(v.os.release) },
      arch: v.arch,
      kernel: resolveBootFile(raw.dir, e, "kernel", p, fp),
      initrd: resolveBootFile(raw.dir, e, "initrd", p, fp),
      installTree: v.installTree,
      requires: readRequirements(e, ["requires"], "requires", p.list),
      source: where(e),
    };
  }

  const repos: Record<string, Repo> = {};
  for (const e of raw.kinds.repos.values()) {
    const v = e.value as { url: string; suite?: string; components?: string[]; gpgKey?: string };
    repos[e.name] = { name: e.name, url: v.url, suite: v.suite, components: v.components ?? [], gpgKey: v.gpgKey, source: where(e) };
  }

  const profiles = resolveProfiles(raw, distros, p, fp);
  addGuestSystems(raw, p.list);
  const systems = resolveSystems(raw, profiles, p);
  attachPower(raw, systems, p.list);
  const guests = resolveGuests(raw, systems, p.list);
  p.list.push(...resolveSsh(raw, systems, secrets, fp));
  checkSystemAttributes(raw, p.list);
  const packages = resolvePackages(raw, p.list, fp);
  const overrides = resolveOverrides(raw, p.list);
  const cm = resolveCm(raw, profiles, systems);
  p.list.push(...cm.errors);
  const plugins = resolvePlugins(raw, p.list, fp);
  if (!p.list.length) p.list.push(...compileCompat({ packages, overrides, distros, profiles }).errors);
  const provisioningRoot = inside("provisioningRoot", s.provisioningRoot ?? ".bootplan/root");
  const statePath = inside("state", s.state?.path ?? ".bootplan/state.json");
  checkSystemValues(raw, p.list);
  checkLocations(raw, provisioningRoot, statePath, p.list);
  if (p.list.length) throw new StackErrors(p.list.sort(byPosition));

  return {
    name: s.stack,
    dir: raw.dir,
    provisioningRoot,
    state: stateSettings(raw.dir, s.state, statePath),
    server: { url: (s.server?.url ?? "").replace(/\/+$/, "") },
    ...(s.executor ? { executor: s.executor } : {}),
    serve: serveSettings(raw.settings.serve),
    files: raw.files.map(slashed),
    mixedFiles: raw.files.filter((f) => f === raw.root || !declaresSystemsOnly(f.text)).map(slashed),
    secrets,
    distros,
    repos,
    profiles,
    systems,
    guests,
    packages,
    overrides,
    cm: cm.cm,
    plugins,
    fingerprint: sha256(fp.sort().join("\n")),
    fingerprintInputs: fp,
  };
}

/** A stack file's path relative to the stack, with forward slashes. */
function slashed(f: { rel: string }): string {
  return f.rel.split(sep).join("/");
}

function byPosition(a: StackError, b: StackError): number {
  const pa = a.position, pb = b.position;
  if (!pa || !pb) return 0;
  return pa.file.localeCompare(pb.file) || pa.line - pb.line || pa.column - pb.column;
}
