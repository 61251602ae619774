/** Builds real packages for tests with the real tools (dpkg-deb, rpmbuild) in temp dirs. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";

/** True when `tool` runs on this machine. */
export function hasTool(tool: string): boolean {
  return !spawnSync("sh", ["-c", `command -v ${tool}`]).status;
}

/** True under CI=true (or any CI value other than false/0), where a missing tool must fail, not skip. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.CI && env.CI !== "false" && env.CI !== "0";
}

/**
 * Guards a suite that needs `tools`: in CI a missing tool is a failing test; locally the suite shows
 * one skipped test naming the reason (printed too), so the file is never an empty suite that fails
 * the run. Returns true when the suite can run.
 */
export function requireTools(...tools: string[]): boolean {
  const missing = tools.filter((t) => !hasTool(t));
  if (!missing.length) return true;
  const why = `needs ${missing.join(", ")} (apt-get install dpkg-dev rpm xz-utils zstd)`;
  if (inCi()) it(`has the tools it needs: ${missing.join(", ")}`, () => { throw new Error(`missing ${missing.join(", ")}: ${why}`); });
  else {
    console.warn(`skipping: ${why}`);
    it.skip(`skipped: ${why}`, () => undefined);
  }
  return false;
}

function run(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout || r.error?.message}`);
}

/** Builds a .deb with dpkg-deb; `compression` applies to its control and data archives. */
export function buildDeb(outDir: string, o: { name: string; version: string; arch: string; compression?: "gzip" | "xz" | "zstd" | "none" }): string {
  const root = mkdtempSync(join(tmpdir(), "bootplan-deb-"));
  mkdirSync(join(root, "DEBIAN"));
  writeFileSync(join(root, "DEBIAN/control"), `Package: ${o.name}\nVersion: ${o.version}\nArchitecture: ${o.arch}\nMaintainer: test <t@example.invalid>\nDescription: test package\n multi-line description\n`);
  mkdirSync(join(root, "usr/share/doc", o.name), { recursive: true });
  writeFileSync(join(root, "usr/share/doc", o.name, "README"), "test\n");
  const out = join(outDir, `${o.name}_${o.version}_${o.arch}.deb`);
  try {
    run("dpkg-deb", ["--root-owner-group", `-Z${o.compression ?? "xz"}`, "--build", root, out]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return out;
}

/** Builds a binary .rpm with rpmbuild for `arch` (noarch, x86_64, aarch64...). */
export function buildRpm(outDir: string, o: { name: string; version: string; release: string; arch: string }): string {
  const top = mkdtempSync(join(tmpdir(), "bootplan-rpm-"));
  const spec = join(top, `${o.name}.spec`);
  // A package without files builds for any target; BuildArch only for noarch (rpmbuild refuses foreign ones).
  writeFileSync(spec, `Name: ${o.name}\nVersion: ${o.version}\nRelease: ${o.release}\nSummary: test\nLicense: MIT\n${o.arch === "noarch" ? "BuildArch: noarch\n" : ""}%description\ntest\n%files\n`);
  try {
    run("rpmbuild", ["-bb", "--nodeps", "--define", `_topdir ${top}`, ...(o.arch === "noarch" ? [] : ["--target", o.arch]), spec]);
    const dir = join(top, "RPMS", o.arch);
    const file = readdirSync(dir).find((f) => f.endsWith(".rpm"))!;
    const out = join(outDir, file);
    run("cp", [join(dir, file), out]);
    return out;
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}
