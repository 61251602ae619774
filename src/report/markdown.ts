/** Markdown building blocks for GitHub: fences that survive any content, inline code, and a size budget. */

/** GitHub refuses issue and pull-request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** A fenced block (```diff highlights +/- lines) whose fence is longer than any backtick run inside. */
export function fence(text: string, lang = "diff"): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(Math.max(3, longest + 1));
  return `${f}${lang}\n${text.replace(/\n+$/, "")}\n${f}`;
}

/** Inline code that survives backticks and pipes (in tables) in `text`; long text is shortened. */
export function code(text: string, max = 200): string {
  const t = (text.length > max ? `${text.slice(0, max - 1)}…` : text).replace(/\n/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return longest ? `${ticks} ${t} ${ticks}` : `${ticks}${t}${ticks}`;
}

/** Longest diff one section shows; a longer one is cut at a line end with a note. */
const MAX_DIFF_CHARS = 20_000;

/** A diff shortened to MAX_DIFF_CHARS at a line end, saying how many lines were left out. */
export function cutDiff(diff: string): string {
  if (diff.length <= MAX_DIFF_CHARS) return diff;
  const kept = diff.slice(0, diff.lastIndexOf("\n", MAX_DIFF_CHARS) + 1);
  const left = diff.slice(kept.length).split("\n").filter(Boolean).length;
  return `${kept}... ${left} more lines not shown; see the job log\n`;
}

/** A hidden marker a workflow finds its one sticky comment or issue by. */
export function marker(kind: "plan" | "drift", stack: string): string {
  return `<!-- bootplan:${kind} stack=${stack.replace(/-->/g, "")} -->`;
}

/**
 * Joins `head`, as many `sections` as fit, and a closing line, within `limit` characters — counted
 * as UTF-8 bytes, which is never fewer, so the comment fits however GitHub counts. Sections that do
 * not fit are counted in a line naming where the whole report is.
 */
export function fitSections(head: string, sections: string[], tail: string, notShown: (n: number) => string, limit = GITHUB_COMMENT_LIMIT): string {
  const size = (s: string): number => Buffer.byteLength(s, "utf8");
  // Room for the "N more" line and the tail, whatever N is.
  const reserve = size(notShown(sections.length)) + size(tail) + 8;
  let out = head;
  let used = size(head);
  let i = 0;
  for (; i < sections.length; i++) {
    const n = size(sections[i]) + 2;
    if (used + n + reserve > limit) break;
    out += `\n${sections[i]}\n`;
    used += n;
  }
  if (i < sections.length) out += `\n${notShown(sections.length - i)}\n`;
  return `${out}\n${tail}`;
}
