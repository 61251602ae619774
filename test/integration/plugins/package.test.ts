/**
 * A stack outside the repository, with bootplan installed as a package (node_modules/bootplan, linked
 * the way `npm install`/`npm link` place it): its TypeScript plugins type-check against the published
 * `bootplan/plugin` types, and the installed CLI plans and applies with them.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempStacks } from "../../helpers/stack.js";

const lab = tempStacks();

/** A copy of the lab in the temp dir with bootplan (and Node's types) installed under node_modules. */
function installed(): string {
  const d = lab();
  mkdirSync(join(d, "node_modules/@types"), { recursive: true });
  symlinkSync(REPO, join(d, "node_modules/bootplan"), "dir");
  symlinkSync(join(REPO, "node_modules/@types/node"), join(d, "node_modules/@types/node"), "dir");
  writeFileSync(join(d, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true },
    include: ["plugins/*.ts"],
  }));
  return d;
}

const tsc = (d: string) => spawnSync(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", d], { cwd: d, encoding: "utf8" });

describe("plugins in a stack outside the repository", () => {
  it("type-check against bootplan/plugin, which catches a hook returning the wrong type", () => {
    const d = installed();
    const ok = tsc(d);
    expect(ok.stdout).toBe("");
    expect(ok.status).toBe(0);
    writeFileSync(join(d, "plugins/wrong.ts"), `import { definePlugin } from "bootplan/plugin";
export default definePlugin<{ port: string }>({
  name: "wrong", version: "1", appliesTo: { names: ["web*"] },
  kernelArgs: (ctx) => [ctx.options.port.length],
});
`);
    const bad = tsc(d);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/^plugins\/wrong\.ts\(4,\d+\): error TS2322: .*=> number\[\]' is not assignable to type .*=> string\[\]'/);
  });

  it("are loaded by the installed CLI, which plans and applies their effect", () => {
    const d = installed();
    const bin = join(d, "node_modules/bootplan/bin/bootplan.js");
    const plan = spawnSync(process.execPath, [bin, "plan", ".", "--no-color"], { cwd: d, encoding: "utf8" });
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toMatch(/^ {6}# by plugin serial-console: kernel arguments \+ console=ttyS1,115200$/m);
    const apply = spawnSync(process.execPath, [bin, "apply", ".", "--auto-approve"], { cwd: d, encoding: "utf8" });
    expect(apply.status).toBe(0);
    expect(readFileSync(join(d, ".bootplan/root/http/answers/db01.cfg"), "utf8")).toMatch(/^raid \/ --level=1/m);
  });
});
