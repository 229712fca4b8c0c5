/** `Promise.withResolvers` (ES2024) and `Promise.try` (ES2025), as XS 17 has them (xsPromise.c). */
import { defineMethods } from "./define";
import { isObject, newPromiseCapability } from "./abstract";

const methods = {
  withResolvers(this: unknown): { promise: Promise<unknown>; resolve: (value: unknown) => void; reject: (reason: unknown) => void } {
    const { promise, resolve, reject } = newPromiseCapability(this);
    return { promise, resolve, reject };
  },
  try(this: unknown, callback: unknown, ...args: unknown[]): Promise<unknown> {
    if (!isObject(this)) throw new TypeError("this: not an object");
    const capability = newPromiseCapability(this);
    let value: unknown;
    try {
      value = Reflect.apply(callback as (...a: unknown[]) => unknown, undefined, args);
    } catch (error) {
      capability.reject(error);
      return capability.promise;
    }
    capability.resolve(value);
    return capability.promise;
  },
};

export function installPromiseAdditions(): void {
  defineMethods(Promise, methods);
}
