/**
 * Reuse of recorded renderings. Rendering is a pure function of a system's render input and of the
 * renderer's own code, so when both are unchanged since the last apply, the recorded files are what
 * rendering would produce again: the no-op plan of a large fleet need not re-render it.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SystemRenderInput } from "../render/types.js";

let rendererHash: string | undefined;

/** A hash of every module of the renderer, so any change to templates or renderers invalidates reuse. */
export function rendererFingerprint(): string {
  if (rendererHash) return rendererHash;
  const h = createHash("sha256");
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith(".d.ts")) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(fileURLToPath(new URL("../render/", import.meta.url)));
  rendererHash = h.digest("hex");
  return rendererHash;
}

/** The digest of what every system of a profile shares in its render key, computed once per profile. */
export function profileRenderPart(input: Omit<SystemRenderInput, "system" | "packages">): string {
  const { profile: p, distro: d } = input;
  const text = JSON.stringify([
    rendererFingerprint(), input.serverUrl, input.answerTemplate ?? null, Object.keys(input.secretText).sort(),
    [p.name, p.distro, p.answerFile.format, p.kernelArgs, p.packages, p.repos, p.rootPassword ?? null, p.timezone, p.locale],
    [d.name, d.os, d.arch, d.kernel, d.initrd, d.installTree ?? null],
    input.repos.map((r) => [r.name, r.url, r.suite ?? null, r.components, r.gpgKey ?? null]),
  ]);
  return createHash("sha256").update(text).digest("base64url");
}

/** The key under which a system's rendering is recorded: profile part plus the system's own render-relevant fields. */
export function renderKey(profilePart: string, s: SystemRenderInput["system"], packages: string[]): string {
  return createHash("sha256")
    .update(profilePart)
    .update(JSON.stringify([s.name, s.hostname, s.netboot, s.netbootOnce ?? false, s.kernelArgs, s.interfaces, s.attributes, packages]))
    .digest("base64url");
}
