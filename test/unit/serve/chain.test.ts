/** The shared boot scripts: iPXE's chain to the booting MAC's script, GRUB's per-MAC dispatch. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderChainScript, renderGrubDispatch } from "../../../src/render/chain.js";
import { ipxePath } from "../../../src/render/paths.js";
import { describeWithTool } from "../../integration/cm/tools.js";

describe("boot.ipxe", () => {
  it("chains to the script apply writes for the booting interface, by its MAC in hyphen form", () => {
    const text = renderChainScript("http://10.0.2.2:8080");
    expect(text.startsWith("#!ipxe\n")).toBe(true);
    expect(text).toContain("chain http://10.0.2.2:8080/ipxe/${netX/mac:hexhyp}.ipxe || goto none\n");
    // ${netX/mac:hexhyp} expands to 52-54-00-12-34-01, the name ipxePath gives that MAC under http/.
    expect(ipxePath("52:54:00:12:34:01")).toBe("http/ipxe/52-54-00-12-34-01.ipxe");
  });

  it("refuses a server URL iPXE would split or expand", () => {
    expect(() => renderChainScript("http://a b")).toThrow(/iPXE/);
  });
});

describeWithTool("grub-script-check", "grub-common", "grub/grub.cfg dispatch", () => {
  it("is a valid GRUB script that loads grub.cfg-01-<mac with dashes> from the prefix", () => {
    const text = renderGrubDispatch();
    expect(text).toContain('configfile "$prefix/grub.cfg-01-$m1-$m2-$m3-$m4-$m5-$m6"');
    const dir = mkdtempSync(join(tmpdir(), "bootplan-grub-"));
    try {
      writeFileSync(join(dir, "grub.cfg"), text);
      const r = spawnSync("grub-script-check", [join(dir, "grub.cfg")], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
