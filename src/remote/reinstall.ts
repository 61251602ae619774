/**
 * Reinstalling a running machine: the installer kernel and initrd are streamed to it over SFTP
 * (from the provisioning root's verified copy, or downloaded by bootplan from a linked URL), then
 * the helper checks their sha256, places them under /boot/bootplan/ and arms a one-shot boot.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import type { ReinstallMethod } from "../model/ssh.js";
import { RemoteError } from "./errors.js";
import { DEFAULT_HELPER_DIR, runHelper, shellQuote, type HelperRunOptions } from "./helper.js";
import type { SshSession } from "./pool.js";

/** Where a boot file comes from: a file on this machine, or a URL bootplan downloads and streams on. */
export type BootSource = { file: string; sha256?: string } | { url: string; sha256?: string };

/** Everything one reinstall needs. */
export interface ReinstallSpec {
  method: ReinstallMethod;
  kernel: BootSource;
  initrd: BootSource;
  /** The installer's kernel command line, as the boot configs carry it. */
  cmdline: string;
  reboot: boolean;
  /** How the helper runs (its folder, sudo). */
  helper?: HelperRunOptions;
}

/** What `stage-reinstall` reports. */
export interface StageResult {
  staged: boolean;
  method: ReinstallMethod;
  dir: string;
  entry: string;
  armed: string;
  kernel: { path: string; sha256: string };
  initrd: { path: string; sha256: string };
  cmdline: string;
  reboot: boolean | string;
}

async function* chunks(src: BootSource): AsyncIterable<Buffer> {
  if ("file" in src) {
    for await (const c of createReadStream(src.file)) yield c as Buffer;
    return;
  }
  const res = await fetch(src.url);
  if (!res.ok || !res.body) throw new RemoteError("reinstall.download", `cannot download ${src.url}: HTTP ${res.status}`);
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(c);
}

/** Streams a boot file to `remotePath`, hashing it on the way; the hash is what the helper must find there. */
async function send(s: SshSession, src: BootSource, remotePath: string): Promise<string> {
  const h = createHash("sha256");
  await s.upload((async function* () {
    for await (const c of chunks(src)) {
      h.update(c);
      yield c;
    }
  })(), remotePath);
  const sha = h.digest("hex");
  if (src.sha256 && src.sha256 !== sha) {
    const where = "file" in src ? src.file : src.url;
    throw new RemoteError("reinstall.checksum", `${s.target.label}: ${where} has sha256 ${sha}, expected ${src.sha256}; nothing was staged`);
  }
  return sha;
}

/** Sends kernel and initrd, then stages (and, with `reboot`, starts) the reinstall; the uploads are removed afterwards. */
export async function stageReinstall(s: SshSession, spec: ReinstallSpec): Promise<StageResult> {
  const dir = `${(spec.helper?.dir ?? DEFAULT_HELPER_DIR).replace(/\/+$/, "")}/stage-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const kernelSha = await send(s, spec.kernel, `${dir}/vmlinuz`);
    const initrdSha = await send(s, spec.initrd, `${dir}/initrd.img`);
    const args = [
      "stage-reinstall", "--method", spec.method,
      "--kernel", `${dir}/vmlinuz`, "--kernel-sha256", kernelSha,
      "--initrd", `${dir}/initrd.img`, "--initrd-sha256", initrdSha,
      "--cmdline", spec.cmdline, ...(spec.reboot ? ["--reboot"] : []),
    ];
    return await runHelper<StageResult>(s, args, spec.helper);
  } finally {
    if (!s.lost) await s.exec(`rm -rf ${shellQuote(dir)}`).catch(() => undefined);
  }
}

/** Removes a staged reinstall that has not booted yet (the helper's `unstage`). */
export function unstageReinstall(s: SshSession, opts: HelperRunOptions = {}): Promise<{ unstaged: boolean; removed: string[] }> {
  return runHelper(s, ["unstage"], opts);
}
