/**
 * The binding merge rule, with provenance: layers apply base first (CM defaults, root profile ...
 * the system's profile, the system); lists union in order without repeats, maps merge key by key,
 * any other value is replaced by the later layer.
 */
import { jsonEqual } from "../util/equal.js";
import { isPlainObject } from "../util/merge.js";
import { pathKey, type Origin, type Origins, type Plain } from "./types.js";

/** One layer of a binding: what it declares and where. */
export interface Layer {
  origin: Origin;
  value: Plain;
}

type Seg = string | number | { item: unknown };

function mergeValue(base: unknown, over: unknown, path: Seg[], origin: Origin, origins: Origins): unknown {
  if (Array.isArray(over)) {
    const fresh = !Array.isArray(base);
    const out: unknown[] = fresh ? [] : [...(base as unknown[])];
    if (fresh) origins[pathKey(path)] = origin;
    for (const item of over) {
      if (out.some((x) => jsonEqual(x, item))) continue;
      out.push(item);
      origins[pathKey([...path, { item }])] = origin;
    }
    return out;
  }
  if (isPlainObject(over)) {
    const fresh = !isPlainObject(base);
    const out: Plain = fresh ? {} : { ...(base as Plain) };
    if (fresh) origins[pathKey(path)] = origin;
    for (const [k, v] of Object.entries(over)) out[k] = mergeValue(out[k], v, [...path, k], origin, origins);
    return out;
  }
  origins[pathKey(path)] = origin;
  return over;
}

/** Merges layers base first; returns the merged value and, for every path in it, the layer that set it. */
export function mergeLayers(layers: Layer[]): { value: Plain; origins: Origins } {
  const origins: Origins = {};
  let value: Plain = {};
  for (const l of layers) value = mergeValue(value, l.value, [], l.origin, origins) as Plain;
  return { value, origins };
}
