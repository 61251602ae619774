/**
 * Loads a provider's implementation module once per process. Provider methods must import inside their
 * bodies (Pulumi serializes them), but a dynamic import costs ~40 µs even when the module is cached, and
 * a plan of 100,000 systems calls diff 300,000 times: the loaded module is kept on globalThis, which a
 * serialized provider reaches as well as an in-process one.
 */
export async function loadOnce<T>(specifier: string): Promise<T> {
  const g = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  const cache = (g[Symbol.for("bootplan.provider-modules")] ??= new Map());
  let m = cache.get(specifier) as T | undefined;
  if (m === undefined) {
    m = (await import(specifier)) as T;
    cache.set(specifier, m);
  }
  return m;
}
