/**
 * Exception plugins as a user meets them: the lab's three examples in the plan and on disk, a plugin
 * added to the lab, broken plugins and bad options, saved plans going stale, and explain --plugins.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/engine/types.js";
import { requireTool, runOnFile } from "../unit/render/tools.js";
import { editStackFile, runCli, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
const root = (d: string, rel = ""): string => join(d, ".bootplan/root", rel);
const itDebconf = requireTool("debconf-set-selections", "apt-get install debconf");
const itGrub = requireTool("grub-script-check", "apt-get install grub-common");

async function planJson(d: string): Promise<Plan> {
  const r = await runCli(["plan", d, "--json"]);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as Plan;
}

async function apply(d: string): Promise<string> {
  const r = await runCli(["apply", d, "--auto-approve", "--no-color"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The plugin notes of each changed resource that has any. */
function pluginNotes(plan: Plan): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of plan.changes) {
    const n = (c.notes ?? []).filter((x) => x.startsWith("by plugin "));
    if (n.length) out[c.address] = n;
  }
  return out;
}

const MOTD = `import { definePlugin } from "bootplan/plugin";
export default definePlugin({
  name: "motd",
  version: "0.1.0",
  appliesTo: { names: ["web01"] },
  answerFile: (ctx, text) => text + "d-i preseed/late_command string echo 'managed by bootplan' > /target/etc/motd\\n",
  files: (ctx) => ({ ["http/motd/" + ctx.system.name + ".txt"]: "Welcome to " + ctx.system.hostname + "\\n" }),
});
`;

describe("the lab's plugins", () => {
  it("show their attributed effect on exactly the systems they select", async () => {
    const plan = await planJson(lab());
    const notify = "by plugin notify: runs afterProvision at apply";
    expect(pluginNotes(plan)).toEqual({
      "cm.puppet-prod.db01": ["by plugin raid-layout: classes"],
      "cm.puppet-prod.web02": ["by plugin raid-layout: classes"],
      "system.ci01": [notify],
      "system.db01": [expect.stringMatching(/^by plugin raid-layout: http\/answers\/db01\.cfg lines \d+-\d+ \(\+\d+ -2\)$/), notify],
      "system.legacy01": [notify],
      "system.web01": ["by plugin serial-console: kernel arguments + console=ttyS1,115200", notify],
      "system.web02": [
        "by plugin serial-console: kernel arguments + console=ttyS1,115200",
        expect.stringMatching(/^by plugin raid-layout: http\/answers\/web02\.cfg lines \d+-\d+ \(\+\d+ -2\)$/),
        notify,
      ],
    });
  });

  it("are written by apply: RAID recipes, the extra console, the Puppet class; notify skips without a URL", async () => {
    const d = lab();
    const out = await apply(d);
    expect(out).toMatch(/^system\.db01: plugin notify afterProvision ok: skipped: no webhook URL \(set BOOTPLAN_NOTIFY_URL\) \(\d+ ms\)$/m);
    const ks = readFileSync(root(d, "http/answers/db01.cfg"), "utf8");
    expect(ks).toMatch(/^raid \/ --level=1 --device=md1 --fstype=xfs raid\.root0 raid\.root1$/m);
    expect(ks).toMatch(/^part \/boot\/efi --fstype=efi/m); // db01 boots UEFI
    expect(ks).not.toMatch(/^autopart$/m);
    expect(readFileSync(root(d, "http/answers/web02.cfg"), "utf8")).toMatch(/^d-i partman-auto\/method string raid$/m);
    expect(readFileSync(root(d, "http/answers/web01.cfg"), "utf8")).toMatch(/^d-i partman-auto\/method string regular$/m);
    expect(readFileSync(root(d, "tftp/grub/grub.cfg-01-52-54-00-12-34-01"), "utf8")).toMatch(/console=ttyS0,115200 console=ttyS1,115200$/m);
    expect(readFileSync(root(d, "tftp/grub/grub.cfg-01-52-54-00-12-34-03"), "utf8")).not.toMatch(/ttyS1/);
    expect(readFileSync(root(d, "cm/puppet-prod/nodes/db01.lab.example.yaml"), "utf8")).toMatch(/- "profile::mdadm"/);
    const st = JSON.parse(readFileSync(join(d, ".bootplan/state.json"), "utf8"));
    expect(st.resources["system.db01"].outputs.pluginHooks).toEqual([
      { plugin: "notify", version: "1.0.0", hook: "afterProvision", outcome: "ok", detail: "skipped: no webhook URL (set BOOTPLAN_NOTIFY_URL)" },
    ]);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
  });

  it("keep their notes when a system's recorded rendering is reused (a changed secret) and re-render when a plugin changes", async () => {
    const d = lab();
    await apply(d);
    writeFileSync(join(d, "secrets/demo-root-password.hash"), "$6$other$hash\n");
    const plan = await planJson(d);
    expect(plan.changes.find((c) => c.address === "system.web01")).toMatchObject({ action: "update", files: [], notes: ["by plugin serial-console: kernel arguments + console=ttyS1,115200", "by plugin notify: runs afterProvision at apply"] });
    await apply(d);
    editStackFile(d, "plugins/serial-console.ts", "return [`console=${ctx.options.port},${ctx.options.speed}`];", "return [`console=${ctx.options.port},${ctx.options.speed}n8`];");
    const edited = await planJson(d);
    expect(edited.changes.map((c) => c.address)).toEqual(["system.web01", "system.web02"]);
    expect(edited.changes[0].notes).toEqual(["by plugin serial-console: kernel arguments + console=ttyS1,115200n8", "by plugin notify: runs afterProvision at apply"]);
  });

  it("hand over what they shaped again when a handoff is reused, and re-shape it when their options or the CM settings change", async () => {
    const d = lab();
    await apply(d);
    // A change elsewhere in web02: its handoffs' recorded renderings stand, and keep the plugin's class.
    editStackFile(d, "systems.yaml", /(\n  web02:\n(?: {4}.*\n)*? {4}profile: \S+\n)/, "$1    kernelArgs: [quiet]\n");
    const other = await planJson(d);
    expect(other.changes.map((c) => c.address)).toEqual(["system.web02"]);
    editStackFile(d, "stack.yaml", "raid-layout: {}", "raid-layout: {options: {puppetClass: profile::raid}}");
    const plan = await planJson(d);
    const cm = plan.changes.filter((c) => c.kind === "cm");
    expect(cm.map((c) => c.address)).toEqual(["cm.puppet-prod.db01", "cm.puppet-prod.web02"]);
    expect(cm[0].notes).toEqual(["by plugin raid-layout: classes"]);
    await apply(d);
    expect(readFileSync(root(d, "cm/puppet-prod/nodes/db01.lab.example.yaml"), "utf8")).toMatch(/- "profile::raid"/);
    expect((await runCli(["plan", d, "--detailed-exitcode"])).code).toBe(0);
    editStackFile(d, "cm.yaml", "environment: production", "environment: staging");
    const settings = await planJson(d);
    expect(settings.changes.map((c) => c.address)).toEqual(["cm.puppet-prod", "cm.puppet-prod.db01", "cm.puppet-prod.legacy01", "cm.puppet-prod.web01", "cm.puppet-prod.web02"]);
    await apply(d);
    expect(readFileSync(root(d, "cm/puppet-prod/nodes/db01.lab.example.yaml"), "utf8")).toMatch(/^environment: "?staging"?$/m);
    expect(readFileSync(root(d, "cm/puppet-prod/nodes/db01.lab.example.yaml"), "utf8")).toMatch(/- "profile::raid"/);
  });

  itDebconf("keep the preseed valid for debconf-set-selections", async () => {
    const d = lab();
    await apply(d);
    const r = runOnFile("debconf-set-selections", ["--checkonly"], readFileSync(root(d, "http/answers/web02.cfg"), "utf8"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  itGrub("keep the GRUB config valid for grub-script-check", async () => {
    const d = lab();
    await apply(d);
    const r = runOnFile("grub-script-check", [], readFileSync(root(d, "tftp/grub/grub.cfg-01-52-54-00-12-34-02"), "utf8"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("a plugin added to the lab", () => {
  it("changes only the systems it selects, shows its lines attributed, and apply writes them", async () => {
    const d = lab();
    await apply(d);
    writeFileSync(join(d, "plugins/motd.ts"), MOTD);
    const text = await runCli(["plan", d, "--no-color"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^1 resource will be updated in place:\n {2}~ system\.web01\n {6}# by plugin serial-console: kernel arguments \+ console=ttyS1,115200\n {6}# by plugin motd: http\/answers\/web01\.cfg line \d+ \(\+1 -0\)\n {6}# by plugin motd: \+ http\/motd\/web01\.txt \(1 lines\)\n {6}# by plugin notify: runs afterProvision at apply$/m);
    expect(text.stdout).toMatch(/^ {10}\+d-i preseed\/late_command string echo 'managed by bootplan' > \/target\/etc\/motd$/m);
    expect(text.stdout).toMatch(/^Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy\.$/m);
    await apply(d);
    expect(readFileSync(root(d, "http/motd/web01.txt"), "utf8")).toBe("Welcome to web01.lab.example\n");
    expect(readFileSync(root(d, "http/answers/web01.cfg"), "utf8")).toMatch(/late_command string echo 'managed by bootplan'/);
    expect(readFileSync(root(d, "http/answers/web02.cfg"), "utf8")).not.toMatch(/late_command/);
  });

  it("is undone when removed: its files go and the answer file is rendered without it", async () => {
    const d = lab({ "plugins/motd.ts": MOTD });
    await apply(d);
    expect(existsSync(root(d, "http/motd/web01.txt"))).toBe(true);
    editStackFile(d, "stack.yaml", "plugins:\n", "plugins:\n  motd: {enabled: false}\n");
    await apply(d);
    expect(existsSync(root(d, "http/motd/web01.txt"))).toBe(false);
    expect(readFileSync(root(d, "http/answers/web01.cfg"), "utf8")).not.toMatch(/late_command/);
  });
});

describe("broken plugins and bad options", () => {
  const broken = (body: string) => `import { definePlugin } from "bootplan/plugin";\nexport default definePlugin({ name: "broken", version: "1", appliesTo: { names: ["db01"] }, ${body} });\n`;

  it("a throwing hook fails the plan with one line naming plugin, hook and target, and nothing is written", async () => {
    const d = lab({ "plugins/broken.ts": broken(`answerFile() { throw new Error("no disks listed"); }`) });
    const r = await runCli(["apply", d, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Error: plugin broken: hook answerFile for system.db01 failed: no disks listed (plugins/broken.ts)\n");
    expect(existsSync(root(d))).toBe(false);
    expect(existsSync(join(d, ".bootplan/state.json"))).toBe(false);
  });

  it("refuses an extra file outside the provisioning root and a kernel argument with a space", async () => {
    const d = lab({ "plugins/broken.ts": broken(`files: () => ({ "../../etc/cron.d/x": "boom" })`) });
    expect((await runCli(["plan", d])).stderr).toBe(
      `Error: plugin broken: hook files for system.db01 failed: path "../../etc/cron.d/x" would leave the provisioning root (no '.', '..' or empty segments) (plugins/broken.ts)\n`,
    );
    writeFileSync(join(d, "plugins/broken.ts"), broken(`files: () => ({ "tftp/grub/grub.cfg-01-52-54-00-12-34-01": "x" })`));
    expect((await runCli(["plan", d])).stderr).toBe(
      "Error: plugin broken: hook files for system.db01 failed: tftp/grub/grub.cfg-01-52-54-00-12-34-01 is already a file of system.web01; a plugin adds files, it does not replace them\n",
    );
    writeFileSync(join(d, "plugins/broken.ts"), broken(`kernelArgs: () => ["quiet splash"]`));
    expect((await runCli(["plan", d])).stderr).toMatch(/^Error: plugin broken: hook kernelArgs for system\.db01 failed: returned "quiet splash"; a kernel argument is one word/);
    writeFileSync(join(d, "plugins/broken.ts"), broken(`cm: (ctx, b) => ({ ...b, classes: 42 })`));
    expect((await runCli(["plan", d])).stderr).toMatch(/^Error: plugin broken: hook cm for cm\.ansible-site\.db01 failed: returned an invalid ansible binding|^Error: plugin broken: hook cm for cm\.puppet-prod\.db01 failed: returned an invalid puppet binding: classes/);
    expect(existsSync(root(d))).toBe(false);
  });

  it("a module that does not load, or a definition whose name differs, is named with its file", async () => {
    const d = lab({ "plugins/broken.ts": "export default definePlugin({ oops" });
    expect((await runCli(["validate", d])).stderr).toMatch(/^Error: plugins\/broken\.ts: cannot load plugin broken: /);
    writeFileSync(join(d, "plugins/broken.ts"), broken(`afterProvison() {}`));
    expect((await runCli(["plan", d])).stderr).toMatch(/^Error: plugins\/broken\.ts: plugin broken: unknown key "afterProvison"/);
    writeFileSync(join(d, "plugins/broken.ts"), broken("").replace('name: "broken"', 'name: "other"'));
    expect((await runCli(["plan", d])).stderr).toMatch(/^Error: plugins\/broken\.ts: plugin broken: name: "other" differs from the plugin's name in the stack, "broken"/);
    writeFileSync(join(d, "plugins/broken.ts"), broken(`optionsSchema: { type: "object", properties: { disks: { type: "strnig" } } }`));
    expect((await runCli(["plan", d])).stderr).toBe(
      "Error: plugins/broken.ts: plugin broken: optionsSchema is not a valid JSON Schema: /properties/disks/type must be equal to one of the allowed values\n");
  });

  it("do not keep a stack from being destroyed", async () => {
    const d = lab();
    await apply(d);
    writeFileSync(join(d, "plugins/broken.ts"), "export default definePlugin({ oops");
    expect((await runCli(["plan", d])).code).toBe(1);
    const r = await runCli(["destroy", d, "--auto-approve"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(root(d, "http/answers/db01.cfg"))).toBe(false);
  });

  it("options the plugin's schema refuses are stack errors with file:line:column", async () => {
    const d = lab();
    editStackFile(d, "stack.yaml", "options: {port: ttyS1, speed: 115200}", "options: {port: ttyS1, speed: 12345, parity: even}");
    const r = await runCli(["validate", d]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^Error: \S*stack\.yaml:\d+:\d+: plugins\.serial-console\.options: must NOT have additional properties "parity" \(plugin serial-console's optionsSchema\)$/),
      expect.stringMatching(/^Error: \S*stack\.yaml:\d+:\d+: plugins\.serial-console\.options\.speed: must be equal to one of the allowed values: 9600, 19200, 38400, 57600, 115200 \(plugin serial-console's optionsSchema\)$/),
    ]);
  });

  it("are checked the same by the validator kept in the plugin cache as by one compiled afresh", async () => {
    const d = lab();
    expect((await runCli(["plan", d])).code).toBe(0);
    const cache = join(d, ".bootplan/state.json.plugin-cache");
    expect(readdirSync(cache).filter((f) => f.startsWith("options-"))).toHaveLength(3);
    editStackFile(d, "stack.yaml", "options: {port: ttyS1, speed: 115200}", "options: {port: ttyS1, speed: 12345, parity: even}");
    const fresh = await runCli(["validate", d]); // compiles in memory
    const kept = await runCli(["plan", d]); // loads the compiled validators the first plan kept
    expect(kept.code).toBe(1);
    expect(kept.stderr).toBe(fresh.stderr);
    expect(kept.stderr).toContain('must NOT have additional properties "parity"');
    // A damaged entry is compiled again, not trusted.
    for (const f of readdirSync(cache).filter((x) => x.startsWith("options-"))) writeFileSync(join(cache, f), "module.exports = {");
    expect((await runCli(["plan", d])).stderr).toBe(fresh.stderr);
  });

  it("a stack entry naming a plugin that does not exist points at the entry", async () => {
    const d = lab();
    editStackFile(d, "stack.yaml", "plugins:\n", "plugins:\n  raid: {}\n");
    expect((await runCli(["validate", d])).stderr).toMatch(/^Error: \S*stack\.yaml:\d+:3: plugins\.raid: no plugin module for "raid" \(looked for plugins\/raid\.ts, /);
  });
});

describe("saved plans and plugin code", () => {
  it("a saved plan goes stale when a plugin is edited or added", async () => {
    const d = lab();
    const planFile = join(d, "release.plan");
    expect((await runCli(["plan", d, "--out", planFile])).code).toBe(0);
    editStackFile(d, "plugins/serial-console.ts", 'version: "1.0.0"', 'version: "1.0.1"');
    const stale = await runCli(["apply", planFile]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/the stack changed since the plan was made \(plugins\/serial-console\.ts changed\); run bootplan plan again/);

    expect((await runCli(["plan", d, "--out", planFile])).code).toBe(0);
    writeFileSync(join(d, "plugins/motd.ts"), MOTD);
    expect((await runCli(["apply", planFile])).stderr).toMatch(/\(plugins\/motd\.ts was added\)/);
    expect(existsSync(root(d))).toBe(false);
  });

  it("a fresh saved plan applies with its plugins' hooks", async () => {
    const d = lab();
    const planFile = join(d, "release.plan");
    expect((await runCli(["plan", d, "--out", planFile])).code).toBe(0);
    const r = await runCli(["apply", planFile]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^system\.web02: plugin notify afterProvision ok: skipped/m);
    expect(readFileSync(root(d, "http/answers/web02.cfg"), "utf8")).toMatch(/partman-auto\/method string raid/);
  });
});

describe("explain --plugins", () => {
  it("are compiled once and kept beside the state by plan, while validate and explain write nothing", async () => {
    const d = lab();
    expect((await runCli(["validate", d])).code).toBe(0);
    expect((await runCli(["explain", "system.db01", d, "--plugins"])).code).toBe(0);
    expect(existsSync(join(d, ".bootplan"))).toBe(false);
    expect((await runCli(["plan", d])).code).toBe(0);
    const cache = join(d, ".bootplan/state.json.plugin-cache");
    const names = readdirSync(cache).map((f) => f.replace(/\.[0-9a-f]+\.mjs$/, ""));
    expect(names).toEqual(expect.arrayContaining(["plugins-notify", "plugins-raid-layout", "plugins-serial-console"]));
    // An edited plugin is compiled again: each entry carries a hash of the source it was made from.
    const entry = join(cache, readdirSync(cache).find((f) => f.startsWith("plugins-notify."))!);
    const before = readFileSync(entry, "utf8");
    writeFileSync(join(d, "plugins/notify.ts"), readFileSync(join(d, "plugins/notify.ts"), "utf8") + "\nexport const edited = 1;\n");
    expect((await runCli(["plan", d])).code).toBe(0);
    expect(readFileSync(entry, "utf8")).not.toBe(before);
    expect(readFileSync(entry, "utf8")).toContain("edited");
  });

  it("lists every plugin, whether it applies to the system and why", async () => {
    const d = lab();
    const r = await runCli(["explain", "system.db01", d, "--plugins", "--no-color"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^system\.db01: 2 of 3 plugins apply$/m);
    expect(r.stdout).toMatch(/^ {2}\+ raid-layout 1\.0\.0 \(plugins\/raid-layout\.ts\): applies\n {6}selector from plugins\/raid-layout\.ts\n {6}ok {2}attributes: disks 2 fits >= 2\n {6}ok {2}attributes: osFamily "rhel" fits \[debian, rhel\]\n {6}hooks: answerFile \(plan time\), cm \(plan time\)$/m);
    expect(r.stdout).toMatch(/^ {2}- serial-console 1\.0\.0 \(plugins\/serial-console\.ts\): does not apply\n {6}selector from \S*stack\.yaml:\d+:\d+\n {6}no {2}names: name db01 matches none of \[web\*\]$/m);
    const json = JSON.parse((await runCli(["explain", "system.web01", d, "--plugins", "--json"])).stdout);
    expect(json.plugins.map((p: { name: string; applies: boolean }) => [p.name, p.applies])).toEqual([["notify", true], ["raid-layout", false], ["serial-console", true]]);
  });
});
