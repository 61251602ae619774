// Build step (after tsc): compiles schemas/ into standalone validator modules in dist/validators/,
// so the CLI does not pay ajv's schema compilation on every run. Options come from the same table
// the runtime uses (VALIDATOR_BUILDS), so precompiled and runtime-compiled validators agree.
import { mkdirSync, writeFileSync } from "node:fs";
import standaloneCode from "ajv/dist/standalone/index.js";
import { _ } from "ajv";
import { compileValidators, VALIDATOR_BUILDS } from "../dist/util/validators.js";

const out = new URL("../dist/validators/", import.meta.url);
mkdirSync(out, { recursive: true });
for (const name of Object.keys(VALIDATOR_BUILDS)) {
  const { ajv, refs } = compileValidators(name, { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  writeFileSync(new URL(`${name}.cjs`, out), standaloneCode.default(ajv, refs));
}
