/** The pull-request comment: fits GitHub's limit at any fleet size, diffs GitHub highlights, a sticky marker. */
import { describe, expect, it } from "vitest";
import { fileChange } from "../../../src/engine/field-diff.js";
import type { Plan, PlannedChange } from "../../../src/engine/types.js";
import { renderPlanMarkdown } from "../../../src/report/plan-markdown.js";
import { GITHUB_COMMENT_LIMIT, fence } from "../../../src/report/markdown.js";

function system(i: number, action: PlannedChange["action"]): PlannedChange {
  const name = `sys-${String(i).padStart(5, "0")}`;
  const before = Array.from({ length: 40 }, (_, k) => `d-i line ${k} for ${name}`).join("\n") + "\n";
  const after = before.replace("line 20", "line twenty");
  const files = action === "create"
    ? [fileChange(`http/answers/${name}.cfg`, undefined, after), fileChange(`tftp/pxelinux.cfg/01-${i}`, undefined, "DEFAULT install\n")]
    : [fileChange(`http/answers/${name}.cfg`, before, after)];
  return {
    address: `system.${name}`, kind: "system", action, dependsOn: [],
    fields: action === "create" ? [{ path: "hostname", new: `${name}.example` }] : [{ path: "kernelArgs", old: [], new: ["quiet"] }],
    files,
  };
}

function plan(changes: PlannedChange[]): Plan {
  const count = (a: string): number => changes.filter((c) => c.action === a).length;
  return {
    formatVersion: 1, stack: "fleet", fingerprint: "0".repeat(64), state: { lineage: "l", serial: 3 }, targets: [], warnings: [], refreshed: "stat",
    summary: { add: count("create"), change: count("update"), replace: count("replace"), destroy: count("delete"), unchanged: 0 }, changes,
  };
}

describe("plan --markdown", () => {
  it("stays under 65,536 characters for a 10,000-system first plan, with counts first and a line for what it leaves out", () => {
    const md = renderPlanMarkdown(plan(Array.from({ length: 10_000 }, (_, i) => system(i, "create"))));
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.startsWith("<!-- bootplan:plan stack=fleet -->\n### bootplan plan for `fleet`\n\n**Plan: 10000 to add, 0 to change, 0 to replace, 0 to destroy.**")).toBe(true);
    expect(md).toContain("| + to add | 10000 |");
    expect(md).toMatch(/\*\*\d+ more resources not shown; see the job log \/ the saved plan artifact\.\*\*/);
    const shown = md.match(/^#### /gm)!.length;
    expect(md).toContain(`**${10_000 - shown} more resources not shown`);
  });

  it("puts each diff in a ```diff block with +/- at the start of the line, and cuts updates of a huge fleet too", () => {
    const md = renderPlanMarkdown(plan(Array.from({ length: 10_000 }, (_, i) => system(i, "update"))));
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain("#### `~ system.sys-00000`");
    expect(md).toMatch(/^```diff\n--- a\/http\/answers\/sys-00000\.cfg\n\+\+\+ b\/http\/answers\/sys-00000\.cfg\n@@ .* @@\n d-i line 17/m);
    expect(md).toMatch(/^-d-i line 20 for sys-00000$/m);
    expect(md).toMatch(/^\+d-i line twenty for sys-00000$/m);
    expect(md).toContain("more resources not shown");
  });

  it("keeps a small plan whole, and says when it was not refreshed", () => {
    const p = { ...plan([system(1, "update")]), refreshed: "off" as const };
    const md = renderPlanMarkdown(p);
    expect(md).not.toContain("more resources not shown");
    expect(md).toContain("Not refreshed (--refresh=false)");
    expect(renderPlanMarkdown(plan([]))).toBe("<!-- bootplan:plan stack=fleet -->\n### bootplan plan for `fleet`\n\n**No changes.**\n");
  });

  it("fences content holding backticks with a longer fence, so a template cannot close the block", () => {
    expect(fence("a ``` b\n+x")).toBe("````diff\na ``` b\n+x\n````");
    const ch = system(1, "update");
    ch.files = [fileChange("http/answers/x.cfg", "echo `id`\n", "echo ```\n")];
    const md = renderPlanMarkdown(plan([ch]));
    expect(md).toContain("````diff\n--- a/http/answers/x.cfg");
  });
});
