/**
 * `Error.isError` (ES2026), which XS 17 has and xsnap's XS lacks. xsnap has
 * no direct [[ErrorData]] test; its `Error.prototype.stack` getter is one:
 * it answers a string for an error instance and undefined for any other
 * object (xs/sources/xsError.c). The getter reads `name` and `message`, so
 * if one of those throws, the value was an error.
 */
import { defineMethods } from "./define";

const stack = Object.getOwnPropertyDescriptor(Error.prototype, "stack")?.get;

const errorStatics = {
  isError(value: unknown): boolean {
    if (typeof value !== "object" || value === null || stack === undefined) return false;
    try {
      return typeof stack.call(value) === "string";
    } catch {
      return true;
    }
  },
};

export function installErrorAdditions(): void {
  defineMethods(Error, errorStatics);
}
