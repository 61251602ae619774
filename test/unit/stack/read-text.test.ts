/** readTextFile: the stack's and state's files read as `readFileSync(path, "utf8")` would, ASCII or not. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readTextFile } from "../../../src/util/read-text.js";

const dir = mkdtempSync(join(tmpdir(), "bootplan-read-text-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readTextFile", () => {
  it.each([
    ["ASCII", Buffer.from("systems:\n  web01: {profile: web}\n")],
    ["UTF-8 with a BOM and accents", Buffer.from("\uFEFFdescription: Zürich rack, café\n")],
    ["bytes that are not UTF-8", Buffer.from([0x61, 0xff, 0xfe, 0x0a, 0xc3])],
    ["nothing", Buffer.alloc(0)],
  ])("reads %s exactly as a UTF-8 read does", (_what, bytes) => {
    const f = join(dir, "f.yaml");
    writeFileSync(f, bytes);
    expect(readTextFile(f)).toBe(readFileSync(f, "utf8"));
  });
});
