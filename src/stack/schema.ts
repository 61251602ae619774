/** Validates one parsed stack file against schemas/stack.schema.json and pins each error to its place. */
import type { ErrorObject } from "ajv/dist/2020.js";
import { StackError } from "../errors.js";
import { validators } from "../util/validators.js";
import { formatDocPath, locate, type DocPath, type YamlFile } from "./yaml.js";

const NAME_RULE =
  "names use letters, digits, '_', '-' and '.', may not start with '.' and may not contain '..', '/', '\\' or NUL";

function found(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? value.slice(0, 57) + "..." : value);
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: DocPath): unknown {
  let v: unknown = root;
  for (const seg of path) v = v != null && typeof v === "object" ? (v as Record<string, unknown>)[seg as string] : undefined;
  return v;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Turns one ajv error into a positioned, one-line StackError; undefined for errors that repeat another. */
function toStackError(f: YamlFile, e: ErrorObject): StackError | undefined {
  const path = pointerToPath(e.instancePath);
  const where = formatDocPath(path);
  const value = valueAt(f.value, path);
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const hint = allowed.length ? ` (expected one of: ${allowed.join(", ")})` : "";
      return new StackError("stack.unknown-key", locate(f, [...path, key], "key"), `${formatDocPath([...path, key])}: unknown key "${key}"${hint}`);
    }
    case "propertyNames":
      return undefined; // reported through the nested pattern error, which names the key
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return new StackError("stack.missing-key", locate(f, path, "key"), `${where}: missing required key "${key}"`);
    }
    case "pattern":
    case "format": {
      const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
      if (propertyName !== undefined) {
        return new StackError("stack.invalid-name", locate(f, [...path, propertyName], "key"), `${formatDocPath([...path, propertyName])}: invalid name ${found(propertyName)}: ${NAME_RULE}`);
      }
      const desc = (e.parentSchema as { description?: string })?.description;
      const expected = desc ? desc.replace(/\.$/, "") : `a value matching ${(e.params as { pattern?: string }).pattern ?? e.keyword}`;
      return new StackError("stack.invalid-value", locate(f, path), `${where}: expected ${expected}, found ${found(value)}`);
    }
    case "type":
      return new StackError("stack.wrong-type", locate(f, path), `${where}: expected ${(e.params as { type: string }).type}, found ${found(value)}`);
    case "enum":
      return new StackError("stack.invalid-value", locate(f, path), `${where}: expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}, found ${found(value)}`);
    case "const":
      return new StackError("stack.invalid-value", locate(f, path), `${where}: expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, found ${found(value)}`);
    default:
      return new StackError("stack.invalid-value", locate(f, path), `${where}: ${e.message ?? "is invalid"}, found ${found(value)}`);
  }
}

/** Schema errors of one file, one per place, in document order. */
export function validateStackFile(f: YamlFile): StackError[] {
  const validate = validators("stack").doc;
  if (validate(f.value)) return [];
  const seen = new Set<string>();
  const out: StackError[] = [];
  for (const e of validate.errors ?? []) {
    const err = toStackError(f, e);
    if (!err) continue;
    const key = err.message;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(err);
  }
  return out.sort((a, b) => (a.position!.line - b.position!.line) || (a.position!.column - b.position!.column));
}
