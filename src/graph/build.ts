/** Stack -> desired resources: renders every system's files so the plan shows the exact bytes apply writes. */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { formatPosition, StackError } from "../errors.js";
import type { BootFile, Distro, Stack } from "../model/stack.js";
import { hostedImagePath } from "../render/paths.js";
import { renderSystemFiles } from "../render/system.js";
import { secretMarker, type SecretDigester } from "../secrets/secrets.js";
import { profileRenderPart, renderKey } from "./render-cache.js";
import { addressOf, type DesiredResource } from "./resource.js";
import { CompatDecider } from "../compat/decide.js";
import { buildCmResources } from "./cm.js";
import { declaringFile } from "./declared-in.js";
import { buildGuestResources } from "../virt/graph.js";
import { powerInputs, powerInstallNote } from "../power/graph.js";
import { sshSecretsNeeded, systemSshInputs } from "./ssh.js";
import { installOnceView } from "./install-once.js";
import { buildServeResources } from "./serve.js";
import type { LoadedPlugin } from "../plugins/load.js";
import { PluginSet } from "../plugins/plan-hooks.js";
import { stackRelative } from "../util/stack-path.js";
import type { BuildScope } from "./scope.js";
import { flatFiles } from "../util/flat-text.js";

/** What building the graph needs beyond the stack: secret values (for digests only) and the digester. */
export interface GraphOptions {
  secrets: Record<string, string>;
  digest: SecretDigester;
  /** Recorded outputs by address; a system whose render key is unchanged reuses its recorded files. */
  recorded?: (address: string) => Record<string, unknown> | undefined;
  /** The stack's loaded plugins; their plan-time hooks shape the systems they select (src/plugins/plan-hooks.ts). */
  plugins?: LoadedPlugin[];
  /** Build only this part of the stack (a targeted plan, graph/scope.ts); the whole stack when absent. */
  scope?: BuildScope;
}

/** The secrets the systems of a stack need, so only those are read. */
export function secretsNeeded(stack: Stack): Set<string> {
  const names = new Set<string>();
  for (const sys of Object.values(stack.systems)) {
    const s = stack.profiles[sys.profile]?.rootPassword?.secret;
    if (s) names.add(s);
    if (sys.power) names.add(sys.power.password.secret);
  }
  for (const n of sshSecretsNeeded(stack)) names.add(n);
  return names;
}

function bootFileInputs(stack: Stack, distro: Distro, which: "linux" | "initrd", f: BootFile): Record<string, unknown> {
  return f.kind === "linked"
    ? { url: f.url }
    : { source: stackRelative(stack.dir, f.path), sha256: f.sha256, target: hostedImagePath(distro.name, which) };
}

/** All resources the stack declares, in a stable order (kind, then name). */
export function buildDesiredResources(stack: Stack, opts: GraphOptions): DesiredResource[] {
  const out: DesiredResource[] = [];
  // Recorded relative to the stack, so a checkout elsewhere plans the same; providers get the base at run time.
  const root = stackRelative(stack.dir, stack.provisioningRoot);

  for (const d of Object.values(stack.distros)) {
    out.push({
      address: addressOf("distro", d.name), kind: "distro", name: d.name, dependsOn: [], secretNames: [],
      inputs: { name: d.name, root, os: d.os, arch: d.arch, installTree: d.installTree ?? null, kernel: bootFileInputs(stack, d, "linux", d.kernel), initrd: bootFileInputs(stack, d, "initrd", d.initrd) },
    });
  }
  for (const r of Object.values(stack.repos)) {
    out.push({
      address: addressOf("repo", r.name), kind: "repo", name: r.name, dependsOn: [], secretNames: [],
      inputs: { name: r.name, url: r.url, suite: r.suite ?? null, components: r.components, gpgKey: r.gpgKey ?? null },
    });
  }
  for (const p of Object.values(stack.profiles)) {
    const parent = p.lineage.length > 1 ? p.lineage[p.lineage.length - 2] : undefined;
    out.push({
      address: addressOf("profile", p.name), kind: "profile", name: p.name, secretNames: [],
      dependsOn: [addressOf("distro", p.distro), ...p.repos.map((r) => addressOf("repo", r)), ...(parent ? [addressOf("profile", parent)] : [])],
      inputs: {
        name: p.name, inherits: parent ?? null, distro: p.distro, answerFormat: p.answerFile.format,
        template: p.answerFile.template ? relative(stack.dir, p.answerFile.template) : null,
        kernelArgs: p.kernelArgs, packages: p.packages, repos: p.repos, timezone: p.timezone, locale: p.locale,
        rootPassword: p.rootPassword?.secret ?? null,
      },
    });
  }

  const templates = new Map<string, string>();
  const profileParts = new Map<string, string>();
  const digests = new Map<string, string>();
  const secretText = Object.fromEntries(Object.keys(stack.secrets).map((n) => [n, secretMarker(n)]));
  const compat = new CompatDecider(stack);
  const plugins = opts.plugins?.length ? new PluginSet(opts.plugins, stack.name) : undefined;
  const systemKeys = new Map<string, string>();
  const scope = opts.scope;
  for (const sys of Object.values(stack.systems)) {
    if (scope && !scope.systems.has(sys.name)) continue;
    const profile = stack.profiles[sys.profile];
    const distro = stack.distros[profile.distro];
    const tpl = profile.answerFile.template;
    if (tpl && !templates.has(tpl)) templates.set(tpl, readFileSync(tpl, "utf8"));
    // Only packages compatible with this system reach its answer file; its failures block its plan.
    const decided = compat.decide(sys);
    const packages = decided.packages;
    const common = {
      serverUrl: stack.server.url, profile, distro, repos: profile.repos.map((r) => stack.repos[r]), secretText,
      answerTemplate: tpl ? templates.get(tpl) : undefined,
    };
    let part = profileParts.get(profile.name);
    if (part === undefined) profileParts.set(profile.name, (part = profileRenderPart(common)));
    const recorded = opts.recorded?.(addressOf("system", sys.name));
    const once = installOnceView(sys, distro.name, stack.server.url, recorded);
    const shaping = plugins?.forSystem(once.system, profile, distro);
    const key = shaping ? shaping.key(renderKey(part, once.system, packages)) : renderKey(part, once.system, packages);
    systemKeys.set(sys.name, key);
    let files: Record<string, string> | undefined;
    // Reused rendering: the recorded digests stand for the files (rendered again only if apply must write them).
    const reused = recorded && recorded.renderKey === key ? (recorded.fileDigests as Record<string, string> | undefined) : undefined;
    if (recorded && recorded.renderKey === key && recorded.files) {
      files = recorded.files as Record<string, string>;
      shaping?.reuse(recorded);
    } else if (reused) {
      shaping?.reuse(recorded!);
    } else {
      const system = shaping?.system ?? once.system; // runs plugins' kernelArgs hooks, whose errors name the plugin
      try {
        // Paths are unique per machine; a null-prototype map keeps V8 from growing a hidden class per key.
        files = Object.create(null) as Record<string, string>;
        for (const f of renderSystemFiles({ ...common, system, packages, installDoneUrl: once.installDoneUrl })) files[f.path] = f.content;
      } catch (err) {
        const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
        const where = tpl ? `template ${relative(stack.dir, tpl)}` : `the built-in ${profile.answerFile.format} template`;
        throw new StackError("render.failed", sys.source, `system ${sys.name}: rendering ${where} failed: ${why} (profile ${profile.name} at ${formatPosition(profile.source)})`);
      }
      if (shaping) files = shaping.shapeFiles(files);
      flatFiles(files);
    }
    const ssh = systemSshInputs(sys, profile, distro, { ...common, system: sys, packages });
    // SSH secrets are digested too: a refresh hands a resource the secrets its digests name.
    const secretsUsed = [...new Set([profile.rootPassword?.secret, sys.power?.password.secret, ...ssh.secretNames].filter((n): n is string => !!n))];
    const notes = [...decided.notes, ...(shaping?.notes ?? [])];
    const secretDigests: Record<string, string> = {};
    for (const name of secretsUsed) {
      if (!digests.has(name)) digests.set(name, opts.digest(name, opts.secrets[name]));
      secretDigests[name] = digests.get(name)!;
    }
    out.push({
      address: addressOf("system", sys.name), kind: "system", name: sys.name,
      dependsOn: [addressOf("profile", profile.name), addressOf("distro", distro.name)],
      secretNames: [...new Set([...secretsUsed, ...once.secretNames])],
      inputs: {
        name: sys.name, root, hostname: sys.hostname, profile: profile.name, distro: distro.name, netboot: sys.netboot,
        interfaces: sys.interfaces.map((i) => ({ name: i.name ?? null, mac: i.mac, ip: i.ip ? `${i.ip}/${i.prefix}` : null, gateway: i.gateway ?? null, dns: i.dns })),
        attributes: sys.attributes, kernelArgs: sys.kernelArgs,
        ...(files ? { files } : { fileDigests: reused }),
        secretDigests,
        renderKey: key,
        ...once.inputs,
        ...shaping?.recorded(),
        ...(decided.governing ? { compat: decided.governing } : {}),
        ...(sys.power ? { power: powerInputs(sys.power) } : {}),
        ...ssh.inputs,
      },
      ...(sys.power && sys.netboot ? { installNotes: [powerInstallNote(sys.power)] } : {}),
      ...(notes.length ? { notes } : {}),
      ...(decided.errors.length ? { incompatible: decided.errors } : {}),
    });
  }
  // Not push(...): 100,000 systems' CM resources are more arguments than a call may take.
  for (const r of buildGuestResources(stack)) if (!scope || scope.guests.has(r.name)) out.push(r);
  const cm = buildCmResources(stack, root, { recorded: opts.recorded, systemKeys, shape: plugins?.cmShaper(stack), only: scope?.systems });
  plugins?.checkClaims([...out, ...cm]);
  for (const r of cm) out.push(r);
  // The server's files list every system: a scope never holds it (targetScope builds everything then).
  if (!scope) for (const r of buildServeResources(stack, root)) out.push(r);
  for (const r of out) r.declaredIn = declaringFile(stack, r);
  return out;
}
