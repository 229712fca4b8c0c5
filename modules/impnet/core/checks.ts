import { describeValue } from "./describe";

/**
 * Argument checks shared by the public methods. Each throws the impOS-style
 * error naming the method, the argument and the rule.
 */

/** "Nothing checked yet" for one-entry caches of checked arguments: a symbol, which no argument can equal. */
export const UNCHECKED: unique symbol = Symbol("unchecked");

/** An integer Number (not NaN, not a string, not 1.5). */
export function requireInteger(method: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${method}: ${name} ${describeValue(value)} is not an integer`);
  }
  return value;
}

/** A function, or null/undefined meaning "none". */
export function optionalCallback<T extends Function>(method: string, name: string, value: unknown): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "function") {
    throw new TypeError(`${method}: ${name} must be a function or null, not ${describeValue(value)}`);
  }
  return value as T;
}

/** A plain table (object, not array or null). */
export function requireTable(method: string, name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${method}: ${name} must be a table, not ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/** A string. */
export function requireString(method: string, name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`${method}: ${name} must be a string, not ${describeValue(value)}`);
  }
  return value;
}
