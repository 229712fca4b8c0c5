/**
 * ECMAScript abstract operations the additions share (ECMA-262 §7), written
 * once so that each addition follows the specification's steps.
 */

export function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

export function isCallable(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === "function";
}

/** IsConstructor, by asking Reflect.construct to use `value` as new.target. */
export function isConstructor(value: unknown): value is new (...args: unknown[]) => unknown {
  if (typeof value !== "function") return false;
  try {
    Reflect.construct(String, [], value);
    return true;
  } catch {
    return false;
  }
}

/** ToIntegerOrInfinity. */
export function toIntegerOrInfinity(value: unknown): number {
  const n = +(value as number);
  if (Number.isNaN(n) || n === 0) return 0;
  return Math.trunc(n);
}

/** ToLength. */
export function toLength(value: unknown): number {
  const n = toIntegerOrInfinity(value);
  return n <= 0 ? 0 : Math.min(n, Number.MAX_SAFE_INTEGER);
}

/** ToIndex. */
export function toIndex(value: unknown): number {
  if (value === undefined) return 0;
  const n = toIntegerOrInfinity(value);
  if (n < 0 || n > Number.MAX_SAFE_INTEGER) throw new RangeError("invalid index");
  return n;
}

/** ToObject. */
export function toObject(value: unknown): object {
  if (value === undefined || value === null) throw new TypeError("cannot coerce undefined or null to object");
  return Object(value) as object;
}

/** RequireObjectCoercible then ToString (String.prototype methods' `this`). */
export function thisString(value: unknown, method: string): string {
  if (value === undefined || value === null) throw new TypeError(`${method}: this is null or undefined`);
  return `${value as string}`;
}

/** CanonicalizeKeyedCollectionKey: -0 becomes +0. */
export function canonicalKey(key: unknown): unknown {
  return key === 0 ? 0 : key;
}

/** ToPropertyKey. */
export function toPropertyKey(value: unknown): string | symbol {
  const key = toPrimitive(value, "string");
  return typeof key === "symbol" ? key : `${key as string}`;
}

/** ToPrimitive. */
export function toPrimitive(value: unknown, hint: "string" | "number"): unknown {
  if (!isObject(value)) return value;
  const exotic = (value as { [Symbol.toPrimitive]?: unknown })[Symbol.toPrimitive];
  if (exotic !== undefined && exotic !== null) {
    if (!isCallable(exotic)) throw new TypeError("Symbol.toPrimitive is not a function");
    const result = exotic.call(value, hint);
    if (isObject(result)) throw new TypeError("cannot convert object to primitive value");
    return result;
  }
  for (const name of hint === "string" ? (["toString", "valueOf"] as const) : (["valueOf", "toString"] as const)) {
    const method = (value as Record<string, unknown>)[name];
    if (isCallable(method)) {
      const result = method.call(value);
      if (!isObject(result)) return result;
    }
  }
  throw new TypeError("cannot convert object to primitive value");
}

/** ToBigInt: BigInts, booleans and numeric strings; Numbers, undefined, null and Symbols throw TypeError. */
export function toBigInt(value: unknown): bigint {
  const primitive = toPrimitive(value, "number");
  switch (typeof primitive) {
    case "bigint":
      return primitive;
    case "boolean":
      return primitive ? 1n : 0n;
    case "string":
      return BigInt(primitive); // SyntaxError when not a BigInt literal, as StringToBigInt
    default:
      throw new TypeError(`cannot coerce ${primitive === null ? "null" : typeof primitive} to bigint`);
  }
}

const byteLengthOfArrayBuffer = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;

/** IsDetachedBuffer for an ArrayBuffer (xsnap reports a detached buffer only through the views it refuses). */
export function isDetached(buffer: ArrayBuffer): boolean {
  if ((byteLengthOfArrayBuffer.call(buffer) as number) !== 0) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** A PromiseCapability Record from constructor `C` (NewPromiseCapability). */
export interface Capability<T = unknown> {
  promise: Promise<T>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

export function newPromiseCapability(C: unknown): Capability {
  if (!isConstructor(C)) throw new TypeError("this: not a constructor");
  let resolve: unknown;
  let reject: unknown;
  const executor = (res: unknown, rej: unknown): void => {
    if (resolve !== undefined) throw new TypeError("resolve already set");
    if (reject !== undefined) throw new TypeError("reject already set");
    resolve = res;
    reject = rej;
  };
  const promise = new C(executor) as Promise<unknown>;
  if (!isCallable(resolve)) throw new TypeError("resolve is not a function");
  if (!isCallable(reject)) throw new TypeError("reject is not a function");
  return { promise, resolve: resolve as (value: unknown) => void, reject: reject as (reason: unknown) => void };
}
