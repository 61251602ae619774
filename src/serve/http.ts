/**
 * The HTTP half of bootplan serve (fastify): the root's http/ (answer files, iPXE scripts, boot.ipxe),
 * the hosted boot files under /images/ (the root's tftp/images/), the install-done callback, a
 * health endpoint, and one access-log line per request naming the system the path belongs to.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { join } from "node:path";
import { safeSegments, sendFile } from "./files.js";
import type { CallbackResult } from "./callback.js";
import type { SystemOfPath } from "./who.js";

/** What the HTTP server serves and whom it tells. */
export interface HttpOptions {
  root: string;
  stack: string;
  systemOf: SystemOfPath;
  log: (line: string) => void;
  installDone: (system: string, token: string | undefined) => Promise<CallbackResult>;
}

/** The path of a request without its query string (which may hold a token: it is never logged). */
function pathOf(req: FastifyRequest): string {
  const q = req.url.indexOf("?");
  return q < 0 ? req.url : req.url.slice(0, q);
}

/** Builds the fastify app (not yet listening). */
export function buildHttpServer(opts: HttpOptions): FastifyInstance {
  const app = Fastify({ logger: false, return503OnClosing: true, routerOptions: { maxParamLength: 512 } });
  const httpDir = join(opts.root, "http");
  const imagesDir = join(opts.root, "tftp", "images");

  app.addHook("onResponse", async (req, reply) => {
    const path = pathOf(req);
    const system = opts.systemOf(path);
    const bytes = reply.getHeader("content-length") ?? "-";
    opts.log(`${req.ip} ${req.method} ${path} ${reply.statusCode} ${bytes} ${reply.elapsedTime.toFixed(1)}ms${system ? ` system=${system}` : ""}`);
  });

  app.get("/healthz", async () => ({ status: "ok", stack: opts.stack }));

  const done = async (req: FastifyRequest<{ Params: { system: string }; Querystring: { token?: string } }>, reply: import("fastify").FastifyReply) => {
    const r = await opts.installDone(req.params.system, typeof req.query.token === "string" ? req.query.token : undefined);
    opts.log(r.message);
    return reply.code(r.status).type("text/plain; charset=utf-8").send(`${r.message}\n`);
  };
  app.get("/install-done/:system", done);
  app.post("/install-done/:system", done);

  app.get("/images/*", async (req, reply) => {
    const segs = safeSegments((req.params as { "*": string })["*"]);
    if (!segs) return reply.code(404).type("text/plain").send("not found\n");
    return sendFile(reply, imagesDir, segs, req.headers.range);
  });
  app.get("/*", async (req, reply) => {
    const segs = safeSegments((req.params as { "*": string })["*"]);
    if (!segs) return reply.code(404).type("text/plain").send("not found\n");
    return sendFile(reply, httpDir, segs, req.headers.range);
  });
  return app;
}
