/**
 * A full disk at the end of an apply, for real: the state lives on a small tmpfs mounted in a private
 * mount namespace (root and unshare needed; skipped with a reason otherwise, failed under CI=true).
 * The state write fails naming the file; once space returns, the next apply settles the journal into
 * the state file, and enc, state list and plan all see the same state before and after. When the
 * journal fills the disk first, the error names that failure too, and the next apply does the rest.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editStackFile, REPO, tempStacks } from "../helpers/stack.js";

const lab = tempStacks();
/** What the stack's parse cache (one page per lab file but stack.yaml) takes of the tmpfs before any state is written. */
const PARSE_CACHE_KIB = 7 * 4;

function canMount(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs";
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", "true"]);
  return r.status === 0 ? undefined : "needs unshare --mount";
}

/** False (after saying why) when this machine cannot mount a tmpfs; under CI=true that is a failure. */
function mountable(): boolean {
  const why = canMount();
  if (!why) return true;
  if (process.env.CI === "true") throw new Error(`full-disk test cannot run: ${why}`);
  console.log(`skipped: ${why}`);
  return false;
}

/**
 * Runs `body` (bash, `$D` the stack, `$BIN` bootplan) in a private mount namespace with the lab's state
 * on a tmpfs of `size`; returns what it printed as `name=value` lines.
 */
function withStateOnTmpfs(size: string, body: string): { out: Record<string, string>; log: string } {
  const d = lab();
  editStackFile(d, "stack.yaml", "path: .bootplan/state.json", "path: .state/state.json");
  const bin = `${process.execPath} ${join(REPO, "bin/bootplan.js")}`;
  const script = `set -u\nmkdir -p "$D/.state" && mount -t tmpfs -o size=${size} tmpfs "$D/.state"\n${body}\numount "$D/.state"\n`;
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", "bash", "-c", script], { env: { ...process.env, D: d, BIN: bin }, encoding: "utf8", timeout: 120_000 });
  const out = Object.fromEntries(r.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return { out, log: r.stdout + r.stderr };
}

describe("a full disk when the state is committed", () => {
  it("names the state file, leaves no temp file, and the next apply settles what was done", () => {
    if (!mountable()) return;
    // The plugin cache (compiled plugins and their options' validators, six pages) and the journal
    // (compact) fit in 72 KiB; the pretty-printed state written beside them does not.
    const { out, log } = withStateOnTmpfs(`${72 + PARSE_CACHE_KIB}k`, `
      $BIN apply "$D" --auto-approve >/dev/null 2>"$D/err1"; echo "apply1=$?"
      echo "err1=$(head -1 "$D/err1")"
      echo "tmpfiles=$(ls -A "$D/.state" | grep -c tmp)"
      echo "journal=$(test -f "$D/.state/state.json.journal" && echo yes || echo no)"
      echo "enc1=$($BIN enc web01.lab.example "$D" 2>&1 | head -1)"
      echo "list1=$($BIN state list "$D" 2>&1 | grep -c .)"
      mount -o remount,size=4m "$D/.state"
      echo "apply2=$($BIN apply "$D" --auto-approve 2>&1 | tail -1)"
      echo "journal2=$(test -f "$D/.state/state.json.journal" && echo yes || echo no)"
      echo "state2=$(test -f "$D/.state/state.json" && echo yes || echo no)"
      echo "enc2=$($BIN enc web01.lab.example "$D" 2>&1 | head -1)"
      echo "list2=$($BIN state list "$D" 2>&1 | grep -c .)"
      $BIN plan "$D" --detailed-exitcode >/dev/null 2>&1; echo "plan=$?"
    `);
    expect(out.apply1, log).toBe("1");
    expect(out.err1).toMatch(/^Error: cannot write state file .*\.state\/state\.json: ENOSPC \(no space left on the device: free some\); what was done is kept in .*state\.json\.journal, and the next bootplan apply settles it$/);
    expect(out.tmpfiles).toBe("0");
    expect(out.journal).toBe("yes");
    expect(out.enc1).toMatch(/^(---|classes:|environment:)/);
    expect(Number(out.list1)).toBeGreaterThan(10);
    expect(out.apply2).toBe("No changes.");
    expect(out.journal2).toBe("no");
    expect(out.state2).toBe("yes");
    expect(out.enc2).toBe(out.enc1);
    expect(out.list2).toBe(out.list1);
    expect(out.plan).toBe("0");
  });

  it("names both failures when the journal runs out of space first, and the next apply finishes the rest", () => {
    if (!mountable()) return;
    // 40 KiB: the plugin cache and the key fit, and a few operations' journal lines; then nothing does.
    const { out, log } = withStateOnTmpfs(`${40 + PARSE_CACHE_KIB}k`, `
      $BIN apply "$D" --auto-approve >/dev/null 2>"$D/err1"; echo "apply1=$?"
      echo "err1=$(head -1 "$D/err1")"
      mount -o remount,size=4m "$D/.state"
      echo "apply2=$($BIN apply "$D" --auto-approve 2>&1 | tail -1)"
      $BIN plan "$D" --detailed-exitcode >/dev/null 2>&1; echo "plan=$?"
    `);
    expect(out.apply1, log).toBe("1");
    // The state error to act on, and the journal failure that came first.
    expect(out.err1).toMatch(/^Error: cannot write state file .*\.state\/state\.json: ENOSPC .*and the next bootplan apply settles it \(the apply had already failed: \S+: cannot append to state journal .*state\.json\.journal: ENOSPC .*operation\(s\) completed and recorded, \d+ not started\)$/);
    expect(out.apply2).toMatch(/^Apply complete: \d+ added, 0 changed, 0 replaced, 0 destroyed\.$/);
    expect(out.plan).toBe("0");
  });
});
