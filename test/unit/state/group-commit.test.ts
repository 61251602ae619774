/** GroupCommit (state/group-commit.ts): what the PostgreSQL writer's journal and records are batched by. */
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../../src/state/group-commit.js";

describe("GroupCommit", () => {
  it("writes the first item alone, then everything queued meanwhile in one batch, bounded by max", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const g = new GroupCommit<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
    }, 3);
    const first = g.add(0);
    const rest = [1, 2, 3, 4, 5].map((n) => g.add(n));
    await Promise.resolve();
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5]]);
  });

  it("settles each item with its own outcome: one item's error, or the whole batch's", async () => {
    const g = new GroupCommit<string>(async (items) => {
      if (items.includes("boom")) throw new Error("database gone");
      return items.map((i) => (i === "bad" ? new Error(`${i} refused`) : undefined));
    });
    const [ok, bad] = await Promise.allSettled([g.add("ok"), g.add("bad")]);
    // "ok" went alone (nothing was queued before it); "bad" then failed on its own.
    expect(ok.status).toBe("fulfilled");
    expect(bad).toMatchObject({ status: "rejected", reason: new Error("bad refused") });
    // "x" goes alone; the three queued behind it share a batch, and its failure fails them all.
    const all = await Promise.allSettled([g.add("x"), g.add("y"), g.add("boom"), g.add("z")]);
    expect(all.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "rejected"]);
    expect(all[1]).toMatchObject({ reason: new Error("database gone") });
  });
});
