/**
 * Property definitions the way the engine makes built-ins: writable,
 * configurable, not enumerable, with the function's `name` being the
 * property's (esbuild may rename a function when it bundles).
 */

function named(value: unknown, key: string | symbol, prefix = ""): unknown {
  if (typeof value === "function") {
    const name = typeof key === "symbol" ? `[${key.description ?? ""}]` : key;
    Object.defineProperty(value, "name", { value: `${prefix}${name}`, writable: false, enumerable: false, configurable: true });
  }
  return value;
}

/** Defines `target[name] = value` as a built-in method (or data property), unless `target` already has its own. */
export function defineMethod(target: object, name: string | symbol, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(target, name)) return;
  Object.defineProperty(target, name, { value: named(value, name), writable: true, enumerable: false, configurable: true });
}

/** Defines `target[name] = value` as a built-in method, replacing xsnap's own (`trace`, `print`). */
export function replaceMethod(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value: named(value, name), writable: true, enumerable: false, configurable: true });
}

/** Defines every method of `methods` on `target` (see `defineMethod`). */
export function defineMethods(target: object, methods: Record<string, unknown>): void {
  for (const name of Object.keys(methods)) defineMethod(target, name, methods[name]);
}

/** Defines an accessor (`get` only) as the engine does: configurable, not enumerable, named "get NAME". */
export function defineGetter(target: object, name: string | symbol, get: () => unknown): void {
  if (Object.prototype.hasOwnProperty.call(target, name)) return;
  Object.defineProperty(target, name, { get: named(get, name, "get ") as () => unknown, enumerable: false, configurable: true });
}
