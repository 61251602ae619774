/**
 * Files a resource writes for the first time (providers/files-impl.ts through a real temporary root):
 * the probe that tells a missing file from one already there skips the open and the link check for
 * missing files, so these pin what must not change with it: a stranger's bytes are kept before they
 * are replaced, and a link planted at a path is refused, its target untouched.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyFiles } from "../../../src/providers/files-impl.js";
import { RUNTIME_INPUT } from "../../../src/providers/types.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "bootplan-first-write-"));
  dirs.push(d);
  return d;
}

const files = {
  "tftp/grub/grub.cfg-01-52-54-00-00-00-01": "menuentry install {}\n",
  "http/answers/a.cfg": "d-i debian-installer/locale string en_US\n",
};

/** Every file under `dir`, relative, with its text. */
function tree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tree(p, base, out);
    else out[p.slice(base.length + 1)] = readFileSync(p, "utf8");
  }
  return out;
}

describe("first write of a resource's files", () => {
  it("writes missing files and keeps a stranger's bytes found at one of its paths", () => {
    const root = tempDir();
    mkdirSync(join(root, "http/answers"), { recursive: true });
    writeFileSync(join(root, "http/answers/a.cfg"), "someone else's\n");
    const outputs = applyFiles({ name: "a", root, files, [RUNTIME_INPUT]: { base: root, stamp: "20261124T000000Z" } });
    const now = tree(root);
    expect(now["tftp/grub/grub.cfg-01-52-54-00-00-00-01"]).toBe(files["tftp/grub/grub.cfg-01-52-54-00-00-00-01"]);
    expect(now["http/answers/a.cfg"]).toBe(files["http/answers/a.cfg"]);
    expect(Object.entries(now).filter(([p]) => p.startsWith(".bootplan-drift/")).map(([, text]) => text)).toEqual(["someone else's\n"]);
    expect(Object.keys(now).filter((p) => p.includes(".bootplan-tmp-"))).toEqual([]);
    expect(Object.keys(outputs.fileDigests as object).sort()).toEqual(Object.keys(files).sort());
  });

  it("refuses a link planted at one of its paths, naming it, and leaves the link's target alone", () => {
    const root = tempDir(), outside = tempDir();
    writeFileSync(join(outside, "target"), "bait\n");
    mkdirSync(join(root, "http/answers"), { recursive: true });
    symlinkSync(join(outside, "target"), join(root, "http/answers/a.cfg"));
    expect(() => applyFiles({ name: "a", root, files, [RUNTIME_INPUT]: { base: root } })).toThrow(/http\/answers\/a\.cfg: it is a symbolic link/);
    expect(readFileSync(join(outside, "target"), "utf8")).toBe("bait\n");
    expect(existsSync(join(root, "http/answers/a.cfg"))).toBe(true);
  });
});
