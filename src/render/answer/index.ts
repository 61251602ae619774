/** Renders a system's answer file(s) through the shared liquid engine. */
import type { AnswerFormat } from "../../model/stack.js";
import { answerFilePath, nocloudDir } from "../paths.js";
import { assertSecretsIntact, renderTemplate } from "../liquid.js";
import { templateVars } from "../context.js";
import type { RenderedFile, SystemRenderInput } from "../types.js";
import { AUTOINSTALL_TEMPLATE, renderMetaData } from "./autoinstall.js";
import { KICKSTART_TEMPLATE } from "./kickstart.js";
import { PRESEED_TEMPLATE } from "./preseed.js";

const BUILT_IN: Record<AnswerFormat, string> = {
  kickstart: KICKSTART_TEMPLATE,
  preseed: PRESEED_TEMPLATE,
  autoinstall: AUTOINSTALL_TEMPLATE,
};

/** The built-in liquid template of an answer-file format. */
export function builtInTemplate(format: AnswerFormat): string {
  return BUILT_IN[format];
}

/** The answer file (kickstart/preseed: one; autoinstall: user-data + meta-data), from the stack's template when it gives one. */
export function renderAnswerFiles(input: SystemRenderInput): RenderedFile[] {
  const format = input.profile.answerFile.format;
  const vars = templateVars(input);
  const content = renderTemplate(input.answerTemplate ?? BUILT_IN[format], vars);
  // The built-in templates pass secrets only through one_line, ks and yaml_value; a stack's own may not.
  if (input.answerTemplate && vars.rootPasswordHash !== null) assertSecretsIntact(input.answerTemplate, vars, content);
  if (format !== "autoinstall") return [{ path: answerFilePath(input.system.name), content }];
  const dir = nocloudDir(input.system.name);
  return [
    { path: `${dir}meta-data`, content: renderMetaData(vars.system.name, vars.system.shortname) },
    { path: `${dir}user-data`, content },
  ];
}
