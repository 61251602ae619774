/**
 * Reuse of recorded renderings. Rendering is a pure function of a system's render input and of the
 * renderer's own code, so when both are unchanged since the last apply, the recorded files are what
 * rendering would produce again: the no-op plan of a large fleet need not re-render it.
 */
import { codeFingerprint } from "../util/code-fingerprint.js";
import { sha256 } from "../util/hash.js";
import type { SystemRenderInput } from "../render/types.js";

/** A hash of every module of the renderer, so any change to templates or renderers invalidates reuse. */
export function rendererFingerprint(): string {
  return codeFingerprint(new URL("../render/", import.meta.url));
}

/** A hash of every module of the CM adapters, so any change to how handoffs render invalidates their reuse. */
export function cmFingerprint(): string {
  return codeFingerprint(new URL("../cm/", import.meta.url));
}

/** The digest of what every system of a profile shares in its render key, computed once per profile. */
export function profileRenderPart(input: Omit<SystemRenderInput, "system" | "packages">): string {
  const { profile: p, distro: d } = input;
  const text = JSON.stringify([
    rendererFingerprint(), input.serverUrl, input.answerTemplate ?? null, Object.keys(input.secretText).sort(),
    [p.name, p.lineage, p.distro, p.answerFile.format, p.kernelArgs, p.packages, p.repos, p.rootPassword ?? null, p.timezone, p.locale],
    [d.name, d.os, d.arch, d.kernel, d.initrd, d.installTree ?? null],
    input.repos.map((r) => [r.name, r.url, r.suite ?? null, r.components, r.gpgKey ?? null]),
  ]);
  return sha256(text, "base64url");
}

/** The key under which a system's rendering is recorded: profile part plus the system's own render-relevant fields. */
export function renderKey(profilePart: string, s: SystemRenderInput["system"], packages: string[]): string {
  return sha256(profilePart + JSON.stringify([s.name, s.hostname, s.netboot, s.netbootOnce ?? false, s.kernelArgs, s.interfaces, s.attributes, packages]), "base64url");
}
