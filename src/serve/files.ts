/**
 * Serving files from a directory over HTTP: path checks, content types, HEAD and single byte ranges
 * (RFC 9110 §14), so installers can resume a kernel or initrd. Small files are read whole, large ones
 * streamed in big chunks (a kernel over loopback should go at disk speed, not at 64 KiB reads).
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyReply } from "fastify";

const TYPES: Record<string, string> = {
  ".ipxe": "text/plain; charset=utf-8",
  ".cfg": "text/plain; charset=utf-8",
  ".ks": "text/plain; charset=utf-8",
  ".yaml": "application/yaml",
  ".json": "application/json",
  ".efi": "application/efi",
  ".iso": "application/x-iso9660-image",
};

/** The content type of a served path; answer-file and NoCloud names are text, boot files bytes. */
export function contentTypeOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  if (base === "user-data" || base === "meta-data" || base === "vendor-data") return "text/plain; charset=utf-8";
  const dot = base.lastIndexOf(".");
  return (dot > 0 && TYPES[base.slice(dot)]) || "application/octet-stream";
}

/** Maps a URL path (already without the query) to segments below a served directory; null when it could leave it. */
export function safeSegments(urlPath: string): string[] | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segs = decoded.split("/").filter((s) => s !== "");
  if (!segs.length || segs.some((s) => s === "." || s === ".." || s.startsWith("."))) return null;
  return segs;
}

/** Parses a `Range: bytes=a-b` header against a size; undefined when absent or not a single range, null when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined; // several ranges or garbage: serve the whole file
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) return null;
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

const SMALL = 256 * 1024;

/**
 * Sends `dir/segs...` (a regular file) or 404, honouring Range. HEAD goes through the same path:
 * fastify's HEAD route drops the body and keeps the headers. Returns the reply, as fastify expects.
 */
export async function sendFile(reply: FastifyReply, dir: string, segs: string[], range: string | undefined): Promise<FastifyReply> {
  const abs = join(dir, ...segs);
  let size: number;
  try {
    const st = await stat(abs);
    if (!st.isFile()) return reply.code(404).type("text/plain").send("not found\n");
    size = st.size;
  } catch {
    return reply.code(404).type("text/plain").send("not found\n");
  }
  reply.header("accept-ranges", "bytes").type(contentTypeOf(abs));
  const r = parseRange(range, size);
  if (r === null) return reply.code(416).header("content-range", `bytes */${size}`).send();
  const start = r?.start ?? 0;
  const end = r?.end ?? size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  if (r) reply.code(206).header("content-range", `bytes ${start}-${end}/${size}`);
  reply.header("content-length", length);
  if (!r && size <= SMALL) return reply.send(await readFile(abs));
  return reply.send(createReadStream(abs, { start, end, highWaterMark: 1 << 20 }));
}
