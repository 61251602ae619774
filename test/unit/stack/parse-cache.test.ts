import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../../src/util/hash.js";
import { loadStack } from "../../../src/stack/load.js";
import { readRawStack } from "../../../src/stack/raw.js";
import { editStackFile, runCli, stackErrors, tempStacks } from "../../helpers/stack.js";

const lab = tempStacks();
const cacheDir = (d: string): string => join(d, ".bootplan/state.json.stack-cache");
const entryOf = (d: string, rel: string): string => join(cacheDir(d), `${sha256(rel, "base64url")}.json`);
const values = (d: string) => Object.fromEntries(readRawStack(d).files.map((f) => [f.rel, f.value]));

describe("stack parse cache: files parsed once, kept beside the state", () => {
  it("keeps every file but stack.yaml, and a second load gives the same values", () => {
    const d = lab();
    const fresh = values(d);
    loadStack(d, { cache: "write" });
    const kept = readdirSync(cacheDir(d)).sort();
    const files = Object.keys(fresh).filter((rel) => rel !== "stack.yaml");
    expect(kept).toEqual(files.map((rel) => `${sha256(rel, "base64url")}.json`).sort());
    expect(values(d)).toEqual(fresh);
  });

  it("uses a kept value only for the very text it was parsed from", () => {
    const d = lab();
    loadStack(d, { cache: "write" });
    // A kept value edited by hand is what a load reads while the file is unchanged: proof the cache is used.
    const entry = entryOf(d, "repos.yaml");
    const [key, json] = readFileSync(entry, "utf8").split(/\n(.*)/s);
    writeFileSync(entry, `${key}\n${json.replace("security.debian.org", "mirror.example")}`);
    expect(JSON.stringify(values(d)["repos.yaml"])).toMatch(/mirror\.example/);
    // Any edit of the file parses it afresh.
    editStackFile(d, "repos.yaml", "security.debian.org", "ftp.debian.org");
    const now = JSON.stringify(values(d)["repos.yaml"]);
    expect(now).toMatch(/ftp\.debian\.org/);
    expect(now).not.toMatch(/mirror\.example/);
  });

  it("points at a kept file's lines in errors found later", () => {
    const d = lab();
    loadStack(d, { cache: "write" });
    writeFileSync(join(d, "more.yaml"), "systems:\n  web01:\n    profile: web\n    hostname: w.lab.example\n    interfaces: [{mac: \"52:54:00:12:34:99\"}]\n");
    // systems.yaml comes from the cache; its positions come from its text, parsed only now.
    expect(stackErrors(d)).toEqual(["systems.yaml:3:3: systems.web01 is defined twice: here and at more.yaml:2:3"]);
  });

  it("keeps no file with aliases, drops the entries of files gone, and validate writes none", async () => {
    const d = lab();
    expect((await runCli(["validate", d])).code).toBe(0);
    expect(existsSync(cacheDir(d))).toBe(false);
    writeFileSync(join(d, "anchors.yaml"), "repos:\n  extra: &r {url: \"http://deb.debian.org/debian\", suite: bookworm, components: [main]}\n  extra2: *r\n");
    loadStack(d, { cache: "write" });
    expect(existsSync(entryOf(d, "anchors.yaml"))).toBe(false);
    expect(existsSync(entryOf(d, "profiles.yaml"))).toBe(true);
    // Without the alias it is kept; once the stack no longer has it, its entry goes.
    writeFileSync(join(d, "anchors.yaml"), "repos: {}\n");
    loadStack(d, { cache: "write" });
    expect(existsSync(entryOf(d, "anchors.yaml"))).toBe(true);
    rmSync(join(d, "anchors.yaml"));
    loadStack(d, { cache: "write" });
    expect(existsSync(entryOf(d, "anchors.yaml"))).toBe(false);
  });
});
