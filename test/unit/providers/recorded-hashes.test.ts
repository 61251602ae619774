/**
 * Recorded file hashes (providers/recorded-hashes.ts): files written through the file-writing provider
 * code into a real temporary root, then their record read back: a hash is kept only where the bytes are
 * not the rendered text, and every recorded file's hash reads as the one on disk either way.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyFiles } from "../../../src/providers/files-impl.js";
import { readFileHashes } from "../../../src/providers/fileset.js";
import { hashesToRecord, recordedHashes, recordedPaths } from "../../../src/providers/recorded-hashes.js";
import { RUNTIME_INPUT, SECRET_INPUT } from "../../../src/providers/types.js";
import { secretMarker } from "../../../src/secrets/secrets.js";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function written(): { root: string; outputs: Record<string, unknown> } {
  const root = mkdtempSync(join(tmpdir(), "bootplan-hashes-"));
  roots.push(root);
  const files = {
    "http/answers/a.cfg": `d-i passwd/root-password-crypted password ${secretMarker("root")}\n`,
    "http/ipxe/a.ipxe": "#!ipxe\nboot\n",
  };
  const outputs = applyFiles({ name: "a", root, files, [SECRET_INPUT]: { root: "$6$salt$hash" }, [RUNTIME_INPUT]: { base: root } });
  return { root, outputs };
}

describe("recorded file hashes", () => {
  it("keeps a hash only for a file whose bytes are not its rendered text (a secret put in)", () => {
    const { root, outputs } = written();
    expect(Object.keys(outputs.fileHashes as object)).toEqual(["http/answers/a.cfg"]);
    expect(recordedPaths(outputs).sort()).toEqual(["http/answers/a.cfg", "http/ipxe/a.ipxe"]);
    expect(recordedHashes(outputs)).toEqual(readFileHashes(root, ["http/answers/a.cfg", "http/ipxe/a.ipxe"]));
  });

  it("reads a record that keeps every hash (as states were written before) the same way", () => {
    const { root, outputs } = written();
    const every = readFileHashes(root, ["http/answers/a.cfg", "http/ipxe/a.ipxe"]) as Record<string, string>;
    const old = { ...outputs, fileHashes: every };
    expect(recordedHashes(old)).toEqual(every);
    expect(recordedPaths(old).sort()).toEqual(Object.keys(every).sort());
    // Written again from such a record, the duplicate hash is dropped.
    expect(hashesToRecord(every, outputs.fileDigests as Record<string, string>)).toEqual(outputs.fileHashes);
  });

  it("keeps every hash of files that have no rendered text, and none when all are their digests", () => {
    expect(hashesToRecord({ "tftp/ipxe.efi": "ab".repeat(32) }, undefined)).toEqual({ "tftp/ipxe.efi": "ab".repeat(32) });
    const { outputs } = written();
    const digests = outputs.fileDigests as Record<string, string>;
    expect(hashesToRecord({ "http/ipxe/a.ipxe": recordedHashes(outputs)["http/ipxe/a.ipxe"]! }, digests)).toBeUndefined();
  });
});
