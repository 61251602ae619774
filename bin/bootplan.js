#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the `prepare` script).
// `bootplan enc` (Puppet's external_nodes command, run on every agent run) skips the CLI framework.
const args = process.argv.slice(2);
const fast = args[0] === "enc" ? await (await import("../dist/cli/enc-launch.js")).runEnc(args.slice(1)) : undefined;
process.exitCode = fast ?? (await (await import("../dist/cli/main.js")).main(args));
