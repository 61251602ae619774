/**
 * A large JSON document as bytes in parts of about a megabyte, never one string: JSON.stringify of a
 * 40 MB list makes a string V8 frees only in its next full collection, which may not come before the
 * process ends, and its bytes besides.
 */

/** Bytes yielded at a time. */
const PART = 1 << 20;

/** The bytes of `head`, then the JSON array of `items`, then `tail`: JSON.stringify's text of the items, in parts. */
export function* jsonArrayParts(head: string, items: Iterable<unknown>, tail: string): Generator<Buffer> {
  let text = `${head}[`;
  let first = true;
  for (const item of items) {
    text += `${first ? "" : ","}${JSON.stringify(item) ?? "null"}`;
    first = false;
    if (text.length >= PART) {
      yield Buffer.from(text, "utf8");
      text = "";
    }
  }
  yield Buffer.from(`${text}]${tail}`, "utf8");
}
