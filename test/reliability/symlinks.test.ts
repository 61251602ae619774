/**
 * Links planted in the provisioning root: no mkdir, write, rename or delete may act through a link
 * that leaves the root. Each case plants a link to a directory outside the root holding "bait" files,
 * runs apply or destroy, and checks the outside directory is byte-for-byte as before.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { editStackFile, runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
const outsides: string[] = [];
afterEach(() => outsides.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A directory outside the root with bait files named like the ones bootplan writes. */
function outside(names: string[]): string {
  const d = mkdtempSync(join(tmpdir(), "bootplan-outside-"));
  outsides.push(d);
  for (const n of names) writeFileSync(join(d, n), `bait ${n}\n`);
  return d;
}

function listing(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(abs, e.name), r);
      else out[r] = readFileSync(join(abs, e.name), "utf8");
    }
  };
  walk(d, "");
  return out;
}

const root = (d: string, rel = ""): string => join(d, ".bootplan/root", rel);

async function apply(d: string, ...extra: string[]) {
  return runCli(["apply", d, "--auto-approve", "--no-color", ...extra]);
}

describe("links planted in the provisioning root", () => {
  it("a fresh apply does not create directories through a linked tftp/", async () => {
    const d = lab();
    const out = outside([]);
    mkdirSync(root(d), { recursive: true });
    symlinkSync(out, root(d, "tftp"));
    const r = await apply(d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to write through .*tftp: it is a symbolic link/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(listing(out)).toEqual({});
  });

  it("destroy with a linked answers/ directory deletes nothing outside and fails naming the link", async () => {
    const d = lab();
    expect((await apply(d)).code).toBe(0);
    // Same names and same bytes as bootplan wrote: only the link check can protect them.
    const answers = root(d, "http/answers");
    const out = mkdtempSync(join(tmpdir(), "bootplan-outside-"));
    outsides.push(out);
    rmSync(out, { recursive: true });
    renameSync(answers, out);
    symlinkSync(out, answers);
    const before = listing(out);
    expect(Object.keys(before).length).toBeGreaterThan(2);
    const r = await runCli(["destroy", d, "--auto-approve", "--no-color"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/symbolic link/);
    expect(listing(out)).toEqual(before);
  });

  it("an update does not write through a link planted at a file's path", async () => {
    const d = lab();
    expect((await apply(d)).code).toBe(0);
    const out = outside(["target"]);
    const f = root(d, "http/answers/web01.cfg");
    rmSync(f);
    symlinkSync(join(out, "target"), f);
    editStackFile(d, "profiles.yaml", /timezone: [^\n]+/, "timezone: Europe/Berlin");
    const r = await apply(d);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(listing(out)).toEqual({ target: "bait target\n" });
  });

  it("an update does not create files through a linked parent directory", async () => {
    const d = lab();
    expect((await apply(d)).code).toBe(0);
    const out = outside([]);
    rmSync(root(d, "tftp/pxelinux.cfg"), { recursive: true });
    symlinkSync(out, root(d, "tftp/pxelinux.cfg"));
    editStackFile(d, "systems.yaml", /52:54:00:12:34:01/, "52:54:00:12:34:7f");
    const r = await apply(d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/symbolic link/);
    expect(listing(out)).toEqual({});
  });
});
