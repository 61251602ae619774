/** Stack files a user can write that used to crash, hang or vanish: each is one positioned user error now. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StackError } from "../../../src/errors.js";
import { parseYamlFile } from "../../../src/stack/yaml.js";
import { runCli, stackErrors, tempStacks } from "../../helpers/stack.js";

const stackWith = tempStacks();

const errorsOf = stackErrors;

function yamlError(text: string): string {
  try {
    parseYamlFile(text, "f.yaml", "f.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(StackError);
    return (err as Error).message;
  }
  throw new Error("expected a YAML error");
}

describe("stack files that are not regular files are refused, never skipped", () => {
  it("systems.yaml as a link inside the stack", () => {
    const d = stackWith({});
    renameSync(join(d, "systems.yaml"), join(d, "real-systems.txt"));
    symlinkSync("real-systems.txt", join(d, "systems.yaml"));
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^systems\.yaml: is a symbolic link; a stack file must be a regular file/)]);
  });

  it("systems.yaml as a link outside the stack, a directory named *.yaml, and a FIFO", () => {
    const d = stackWith({});
    const outside = join(tmpdir(), `bootplan-out-${process.pid}.yaml`);
    writeFileSync(outside, readFileSync(join(d, "systems.yaml")));
    renameSync(join(d, "systems.yaml"), join(d, "old.txt"));
    symlinkSync(outside, join(d, "systems.yaml"));
    mkdirSync(join(d, "more.yaml"));
    spawnSync("mkfifo", [join(d, "pipe.yaml")]);
    let errs: string[];
    try {
      errs = errorsOf(d);
    } finally {
      rmSync(outside, { force: true });
    }
    expect(errs).toContain("more.yaml: is a directory; a stack file must be a regular file inside the stack (replace it with the file itself)");
    expect(errs).toContain("pipe.yaml: is a named pipe; a stack file must be a regular file inside the stack (replace it with the file itself)");
    expect(errs.some((e) => /^systems\.yaml: is a symbolic link/.test(e))).toBe(true);
  });

  it("a linked directory holding stack files", () => {
    const d = stackWith({ "extra/more.yaml": "repos: {}\n" });
    renameSync(join(d, "extra"), join(d, "extra-real"));
    symlinkSync("extra-real", join(d, "extra"));
    expect(errorsOf(d)).toEqual([expect.stringMatching(/^extra: is a symbolic link to a directory holding YAML files/)]);
  });

  it("an unreadable stack file names the file (run as an unprivileged user)", () => {
    if (process.getuid?.() !== 0 || spawnSync("runuser", ["--help"]).status !== 0) {
      if (process.env.CI === "true") throw new Error("runuser as root is needed for this test in CI");
      console.log("skipped: needs root and runuser to read as an unprivileged user");
      return;
    }
    const d = stackWith({});
    chmodSync(d, 0o755);
    chmodSync(join(d, "systems.yaml"), 0o600);
    const r = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, join(process.cwd(), "bin/bootplan.js"), "validate", d], { encoding: "utf8", cwd: "/" });
    expect(r.stderr).toMatch(/systems\.yaml: cannot read this stack file \(EACCES\); check its permissions/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(1);
  });
});

describe("YAML errors name the right line and column", () => {
  it("a duplicate key at line 15", () => {
    const text = Array.from({ length: 14 }, (_, i) => `k${i}: ${i}`).join("\n") + "\nk3: again\n";
    expect(yamlError(text)).toMatch(/^f\.yaml:15:1: YAML syntax error: duplicate key/);
  });

  it("a NUL at line 3 column 12", () => {
    expect(yamlError("a: 1\nb: 2\nc: hello wo\0rld\n")).toBe("f.yaml:3:12: YAML syntax error: the file contains a NUL byte, which YAML does not allow");
  });

  it("1,000-deep nesting is refused with a limit, block and flow, with or without aliases", () => {
    const flow = "a: " + "[".repeat(1000) + "]".repeat(1000) + "\n";
    expect(yamlError(flow)).toMatch(/^f\.yaml:1:\d+: YAML syntax error: nesting deeper than 100 levels/);
    expect(yamlError("x: &a 1\ny: *a\n" + flow)).toMatch(/^f\.yaml:3:\d+: YAML syntax error: nesting deeper than 100 levels/);
    let block = "a:\n";
    for (let i = 1; i < 1000; i++) block += " ".repeat(i) + "k:\n";
    expect(yamlError(block)).toMatch(/^f\.yaml:\d+:\d+: YAML syntax error: nesting deeper than 100 levels/);
  });

  it("a self-referencing alias", () => {
    expect(yamlError("a: 1\nb: &x [1, *x]\n")).toMatch(/^f\.yaml:2:\d+: b\[1\]: a YAML alias refers to a node that contains it/);
  });

  it("a __proto__ key anywhere", () => {
    expect(yamlError("systems:\n  a:\n    attributes:\n      __proto__: {x: 1}\n")).toBe('f.yaml:4:7: systems.a.attributes.__proto__: the key "__proto__" is not allowed (it would change how the map behaves)');
  });
});

describe("names and include patterns", () => {
  it("a system named after an Object.prototype member is refused, not lost", () => {
    const d = stackWith({ "bad.yaml": 'systems:\n  constructor: {profile: web, interfaces: [{mac: "52:54:00:aa:00:01"}]}\n' });
    expect(errorsOf(d)).toEqual(['bad.yaml:2:3: systems.constructor: the name "constructor" is reserved; choose another']);
  });

  it("include: patterns reaching outside the stack", async () => {
    const d = stackWith({});
    writeFileSync(join(d, "stack.yaml"), readFileSync(join(d, "stack.yaml"), "utf8") + 'include: ["*.yaml", "../other/*.yaml", "/etc/*.yaml"]\n');
    const errs = errorsOf(d);
    expect(errs).toEqual([
      expect.stringMatching(/^stack\.yaml:\d+:\d+: include\[1\]: "\.\.\/other\/\*\.yaml" reaches outside the stack directory/),
      expect.stringMatching(/^stack\.yaml:\d+:\d+: include\[2\]: "\/etc\/\*\.yaml" is absolute/),
    ]);
    const r = await runCli(["validate", d]);
    expect(r.code).toBe(1);
  });
});
