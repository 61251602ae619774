// Build step (after tsc): bundles `bootplan enc`'s quick path (dist/cli/enc-quick.js) with node-postgres
// and js-yaml into one CommonJS script, dist/cli/enc-quick.bundle.cjs, and records its V8 code cache.
// Puppet runs enc on every agent run: loading ~50 modules and compiling them cost more than the answer.
// Without a working esbuild (an install without dev dependencies, a platform without its binary) the
// step is skipped, and enc runs as modules; a bundle that esbuild rejects fails the build.
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  console.warn("bundle-enc: esbuild is not installed; bootplan enc runs unbundled");
  process.exit(0);
}
const { ENC_BUNDLE } = await import("../dist/cli/enc-launch.js");
const { codeCacheFile, runCachedScript } = await import("../dist/util/cached-script.js");
const INPUTS = `${dist}cli/enc-quick.bundle.inputs.json`;
/** Leaves no bundle for the launcher to find: one is either whole or absent. */
const removeOutputs = () => [ENC_BUNDLE, codeCacheFile(ENC_BUNDLE), INPUTS].forEach((f) => rmSync(f, { force: true }));

// dist/state/pg-require.js requires pg through createRequire, which a bundler cannot follow: the
// bundle gets a plain require of pg in its place, and so its own copy of pg.
const bundledPg = {
  name: "bundled-pg",
  setup(build) {
    build.onResolve({ filter: /\/pg-require\.js$/ }, (args) => ({ path: "pg-require.js", namespace: "bundled-pg", pluginData: args.resolveDir }));
    build.onLoad({ filter: /.*/, namespace: "bundled-pg" }, (args) => ({
      contents: 'export const requirePg = () => require("pg");',
      resolveDir: args.pluginData,
      loader: "js",
    }));
  },
};

const fail = (message) => {
  removeOutputs();
  console.error(`bundle-enc: ${message}`);
  process.exit(1);
};

let result;
try {
  result = await esbuild.build({
    entryPoints: [`${dist}cli/enc-quick.js`],
    outfile: ENC_BUNDLE,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // pg-native: pg's optional native driver, required only when asked for. yaml: read only for an unusual stack.yaml.
    external: ["pg-native", "yaml"],
    plugins: [bundledPg],
    metafile: true,
    logLevel: "silent",
  });
} catch (err) {
  // esbuild's BuildFailure lists what it rejected in the code; anything else is esbuild itself not running.
  if (Array.isArray(err.errors)) fail((await esbuild.formatMessages(err.errors, { kind: "error" })).join("\n"));
  removeOutputs();
  console.warn(`bundle-enc: esbuild does not run here (${err.message.split("\n")[0]}); bootplan enc runs unbundled`);
  process.exit(0);
}
// A warning (import.meta in a bundled module, say) means code that would break inside the bundle.
if (result.warnings.length) fail((await esbuild.formatMessages(result.warnings, { kind: "warning" })).join("\n"));
// What went into the bundle, for the tests (the quick path must hold none of the store, lock or journal).
writeFileSync(INPUTS, JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 1) + "\n");

try {
  const bundle = runCachedScript(ENC_BUNDLE);
  await bundle.exports.preloadEncQuick();
  bundle.recordCache();
} catch (err) {
  fail(`the bundle does not load: ${err.message}`);
}
