/**
 * Puppet ENC handoff, checked by Puppet itself: `puppet node find --node_terminus=exec` runs
 * `bootplan enc` as its external_nodes command and must see the classes, parameters and environment
 * bootplan handed over.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanup, runBin, tempStack } from "../../helpers/stack.js";
import { bootplanScript, describeWithTool } from "./tools.js";

let dir: string;
let home: string;

/** `puppet node find` with an isolated confdir/vardir/codedir; stdout is the node as JSON. */
function puppetNodeFind(node: string, externalNodes: string): { code: number; node?: Record<string, unknown>; stderr: string } {
  const r = spawnSync("puppet", [
    "node", "find", node, "--render-as", "json", "--node_terminus=exec", `--external_nodes=${externalNodes}`,
    "--confdir", join(home, "conf"), "--vardir", join(home, "var"), "--codedir", join(home, "code"),
  ], { encoding: "utf8", env: { ...process.env, HOME: home } });
  return { code: r.status ?? -1, node: r.status === 0 ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

describeWithTool("puppet", "puppet", "Puppet ENC handoff: puppet node find with bootplan enc as external_nodes", () => {
  beforeAll(() => {
    dir = tempStack();
    home = join(dir, ".puppet-home");
    // Puppet checks that the environment an ENC names exists.
    for (const env of ["production", "staging"]) mkdirSync(join(home, "code", "environments", env), { recursive: true });
    const r = runBin(["apply", dir, "--auto-approve"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
  afterAll(() => cleanup(dir));

  it("returns the parameterised classes, parameters and environment of a node bound through its profile and itself", () => {
    const enc = bootplanScript(join(dir, "enc.sh"), ["enc", "--state", join(dir, ".bootplan/state.json")]);
    const r = puppetNodeFind("web01.lab.example", enc);
    expect(r.code, r.stderr).toBe(0);
    expect(r.node!.classes).toEqual({ "profile::base": {}, "role::web": { port: 9090, vhost: "www.lab.example" } });
    expect(r.node!.environment).toBe("production");
    expect((r.node!.parameters as Record<string, unknown>).site).toBe("lab");
  });

  it("returns a plain class list for a node whose classes have no parameters, reading the state named by the stack directory", () => {
    // Puppet appends the certname to the configured command; the wrapper puts the stack directory after it.
    const enc = bootplanScript(join(dir, "enc-by-dir.sh"), ["enc"], [dir]);
    const r = puppetNodeFind("db01.lab.example", enc);
    expect(r.code, r.stderr).toBe(0);
    expect(r.node!.classes).toEqual(["profile::base", "role::db", "profile::mdadm"]); // the last from the lab's raid-layout plugin
    expect(r.node!.environment).toBe("production");
  });

  it("fails for a node no Puppet CM system received (bootplan enc exits non-zero)", () => {
    const enc = bootplanScript(join(dir, "enc-unknown.sh"), ["enc", "--state", join(dir, ".bootplan/state.json")]);
    const r = puppetNodeFind("ci01.lab.example", enc);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Failed to find ci01\.lab\.example via exec/);
  });
});
