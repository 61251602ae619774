/** Values worked out only when read: plans of 100,000 creates hold much that nobody reads. */

/**
 * Makes `obj[key]` an enumerable getter that computes its value on first read and keeps it. JSON and
 * object spreads still see the value, and a key that already exists keeps its place in key order.
 */
export function defineLazy<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): T {
  let value: T[K] | undefined;
  let done = false;
  Object.defineProperty(obj, key, {
    enumerable: true, configurable: true,
    get: () => {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
    set: (v: T[K]) => {
      value = v;
      done = true;
    },
  });
  return obj;
}
