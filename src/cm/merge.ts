/**
 * The binding merge rule, with provenance: layers apply base first (CM defaults, root profile ...
 * the system's profile, the system); lists union in order without repeats, maps merge key by key,
 * any other value is replaced by the later layer.
 */
import { jsonEqual } from "../util/equal.js";
import { isPlainObject } from "../util/merge.js";
import { pathKey, type CmBinding, type Origin, type Origins, type Plain } from "./types.js";

/** One layer of a binding: what it declares and where. */
export interface Layer {
  origin: Origin;
  value: Plain;
}

type Seg = string | number | { item: unknown };

/** Merges `over` onto `base`; with `origins`, records the layer that set each path (below `path`). */
function mergeValue(base: unknown, over: unknown, origin: Origin, origins: Origins | undefined, path: Seg[]): unknown {
  if (Array.isArray(over)) {
    const fresh = !Array.isArray(base);
    const out: unknown[] = fresh ? [] : [...(base as unknown[])];
    if (fresh && origins) origins[pathKey(path)] = origin;
    for (const item of over) {
      if (out.some((x) => jsonEqual(x, item))) continue;
      out.push(item);
      if (origins) origins[pathKey([...path, { item }])] = origin;
    }
    return out;
  }
  if (isPlainObject(over)) {
    const fresh = !isPlainObject(base);
    const out: Plain = fresh ? {} : { ...(base as Plain) };
    if (fresh && origins) origins[pathKey(path)] = origin;
    for (const [k, v] of Object.entries(over)) out[k] = mergeValue(out[k], v, origin, origins, origins ? [...path, k] : path);
    return out;
  }
  if (origins) origins[pathKey(path)] = origin;
  return over;
}

/** The layers merged base first; with `origins`, where each path's value came from is recorded there. */
function merge(layers: Layer[], origins?: Origins): Plain {
  let value: Plain = {};
  for (const l of layers) value = mergeValue(value, l.value, l.origin, origins, []) as Plain;
  return value;
}

/** Merges layers base first; returns the merged value and, for every path in it, the layer that set it. */
export function mergeLayers(layers: Layer[]): { value: Plain; origins: Origins } {
  const origins: Origins = {};
  return { value: merge(layers, origins), origins };
}

/**
 * The merged binding of `layers`, its provenance worked out when first asked: only `explain` asks, and
 * a plan merges thousands of systems' bindings.
 */
export function mergedBinding(layers: Layer[]): CmBinding {
  let origins: Origins | undefined;
  return {
    value: merge(layers),
    layers: layers.map((l) => l.origin.layer),
    get origins() {
      return (origins ??= mergeLayers(layers).origins);
    },
  };
}
