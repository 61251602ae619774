// Empties dist/ before a build: tsc never deletes the output of a source that moved or went, and a
// stale module there would still be importable and would change the renderer and CM adapter
// fingerprints (graph/render-cache.ts hashes every module of dist/render and dist/cm).
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
