/**
 * Array additions XS 17 has and xsnap's XS lacks: change-array-by-copy
 * (ES2023: `toReversed`, `toSorted`, `toSpliced`, `with` on arrays and typed
 * arrays) and `Array.fromAsync` (ES2026), following ECMA-262's steps.
 */
import { defineMethods } from "./define";
import { isCallable, isConstructor, isDetached, toBigInt, toIntegerOrInfinity, toLength, toObject } from "./abstract";

const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

function lengthOf(object: object): number {
  return toLength((object as { length?: unknown }).length);
}

/** ArrayCreate(length): RangeError past 2^32 - 1. */
function arrayCreate(length: number): unknown[] {
  if (length > MAX_ARRAY_LENGTH) throw new RangeError("invalid array length");
  return new Array<unknown>(length);
}

function relativeIndex(value: unknown, length: number): number {
  const relative = toIntegerOrInfinity(value);
  return relative >= 0 ? relative : length + relative;
}

const arrayMethods = {
  toReversed(this: unknown): unknown[] {
    const O = toObject(this) as Record<number, unknown>;
    const length = lengthOf(O);
    const A = arrayCreate(length);
    for (let k = 0; k < length; k++) A[k] = O[length - k - 1];
    return A;
  },
  toSorted(this: unknown, comparefn: unknown): unknown[] {
    if (comparefn !== undefined && !isCallable(comparefn)) throw new TypeError("toSorted: comparefn is not a function");
    const O = toObject(this) as Record<number, unknown>;
    const length = lengthOf(O);
    const A = arrayCreate(length);
    for (let k = 0; k < length; k++) A[k] = O[k];
    // Array.prototype.sort on the copy: SortCompare's rules (undefined last, comparefn otherwise).
    return A.sort(comparefn as ((a: unknown, b: unknown) => number) | undefined);
  },
  toSpliced(this: unknown, start: unknown, skipCount: unknown, ...items: unknown[]): unknown[] {
    const O = toObject(this) as Record<number, unknown>;
    const length = lengthOf(O);
    const relativeStart = toIntegerOrInfinity(start);
    const actualStart = relativeStart < 0 ? Math.max(length + relativeStart, 0) : Math.min(relativeStart, length);
    let actualSkipCount: number;
    if (arguments.length === 0) actualSkipCount = 0;
    else if (arguments.length === 1) actualSkipCount = length - actualStart;
    else actualSkipCount = Math.min(Math.max(toIntegerOrInfinity(skipCount), 0), length - actualStart);
    const newLength = length + items.length - actualSkipCount;
    if (newLength > Number.MAX_SAFE_INTEGER) throw new TypeError("toSpliced: length too big");
    const A = arrayCreate(newLength);
    let i = 0;
    let r = actualStart + actualSkipCount;
    for (; i < actualStart; i++) A[i] = O[i];
    for (const item of items) A[i++] = item;
    for (; i < newLength; i++, r++) A[i] = O[r];
    return A;
  },
  with(this: unknown, index: unknown, value: unknown): unknown[] {
    const O = toObject(this) as Record<number, unknown>;
    const length = lengthOf(O);
    const actualIndex = relativeIndex(index, length);
    if (actualIndex >= length || actualIndex < 0) throw new RangeError("with: index out of range");
    const A = arrayCreate(length);
    for (let k = 0; k < length; k++) A[k] = k === actualIndex ? value : O[k];
    return A;
  },
};

type AnyTypedArray = { length: number; buffer: ArrayBufferLike; [index: number]: unknown; sort(compare?: unknown): AnyTypedArray };
type TypedArrayConstructor = new (length: number) => AnyTypedArray;

const TypedArray = Object.getPrototypeOf(Uint8Array) as { prototype: object };
const typedArrayName = Object.getOwnPropertyDescriptor(TypedArray.prototype, Symbol.toStringTag)!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(TypedArray.prototype, "length")!.get!;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(TypedArray.prototype, "buffer")!.get!;
const typedArrayConstructors = new Map<string, TypedArrayConstructor>();
for (const C of [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array]) {
  typedArrayConstructors.set(C.name, C as unknown as TypedArrayConstructor);
}

/** ValidateTypedArray: the typed array's intrinsic constructor and its length; TypeError when not one or detached. */
function validate(value: unknown): { C: TypedArrayConstructor; length: number; bigint: boolean } {
  const name = typedArrayName.call(value) as string | undefined;
  if (name === undefined) throw new TypeError("this is not a typed array");
  const buffer = typedArrayBuffer.call(value) as ArrayBufferLike;
  if (buffer instanceof ArrayBuffer && isDetached(buffer)) throw new TypeError("detached buffer");
  return { C: typedArrayConstructors.get(name)!, length: typedArrayLength.call(value) as number, bigint: name.startsWith("Big") };
}

const typedArrayMethods = {
  toReversed(this: unknown): AnyTypedArray {
    const { C, length } = validate(this);
    const O = this as AnyTypedArray;
    const A = new C(length);
    for (let k = 0; k < length; k++) A[k] = O[length - k - 1];
    return A;
  },
  toSorted(this: unknown, comparefn: unknown): AnyTypedArray {
    if (comparefn !== undefined && !isCallable(comparefn)) throw new TypeError("toSorted: comparefn is not a function");
    const { C, length } = validate(this);
    const O = this as AnyTypedArray;
    const A = new C(length);
    for (let k = 0; k < length; k++) A[k] = O[k];
    return A.sort(comparefn);
  },
  with(this: unknown, index: unknown, value: unknown): AnyTypedArray {
    const { C, length, bigint } = validate(this);
    const O = this as AnyTypedArray;
    const actualIndex = relativeIndex(index, length);
    const numericValue = bigint ? toBigInt(value) : +(value as number);
    // IsValidIntegerIndex after the conversion, which may have detached or shrunk the buffer.
    const buffer = typedArrayBuffer.call(O) as ArrayBufferLike;
    const detached = buffer instanceof ArrayBuffer && isDetached(buffer);
    if (detached || actualIndex < 0 || actualIndex >= (typedArrayLength.call(O) as number)) throw new RangeError("with: index out of range");
    const A = new C(length);
    for (let k = 0; k < length; k++) A[k] = k === actualIndex ? numericValue : O[k];
    return A;
  },
};

/** `Array.fromAsync(items, mapfn, thisArg)`: async iterables, then sync iterables (values awaited), then array-likes. */
function fromAsync(this: unknown, asyncItems: unknown, mapfn: unknown = undefined, thisArg: unknown = undefined): Promise<unknown> {
  const C = this;
  return (async () => {
    const mapping = mapfn !== undefined;
    if (mapping && !isCallable(mapfn)) throw new TypeError("Array.fromAsync: mapfn is not a function");
    const usingAsyncIterator = getMethod(asyncItems, Symbol.asyncIterator);
    const usingSyncIterator = usingAsyncIterator === undefined ? getMethod(asyncItems, Symbol.iterator) : undefined;
    if (usingAsyncIterator !== undefined || usingSyncIterator !== undefined) {
      const A = (isConstructor(C) ? new C() : []) as Record<number, unknown> & { length: number };
      const method = (usingAsyncIterator ?? usingSyncIterator) as (this: unknown) => unknown;
      const iterator = method.call(asyncItems);
      if (!isObjectLike(iterator)) throw new TypeError("Array.fromAsync: the iterator is not an object");
      // for await gives the iterator protocol's steps: CreateAsyncFromSyncIterator, Await, AsyncIteratorClose on abrupt completions.
      const iterable = usingAsyncIterator !== undefined ? { [Symbol.asyncIterator]: () => iterator } : { [Symbol.iterator]: () => iterator };
      let k = 0;
      for await (const value of iterable as AsyncIterable<unknown>) {
        if (k >= Number.MAX_SAFE_INTEGER) throw new TypeError("Array.fromAsync: too many values");
        const mapped = mapping ? await (mapfn as (v: unknown, k: number) => unknown).call(thisArg, value, k) : value;
        Object.defineProperty(A, k, { value: mapped, writable: true, enumerable: true, configurable: true });
        k++;
      }
      A.length = k;
      return A;
    }
    const arrayLike = toObject(asyncItems) as Record<number, unknown>;
    const length = lengthOf(arrayLike);
    const A = (isConstructor(C) ? new C(length) : arrayCreate(length)) as Record<number, unknown> & { length: number };
    for (let k = 0; k < length; k++) {
      const value = await arrayLike[k];
      const mapped = mapping ? await (mapfn as (v: unknown, k: number) => unknown).call(thisArg, value, k) : value;
      Object.defineProperty(A, k, { value: mapped, writable: true, enumerable: true, configurable: true });
    }
    A.length = length;
    return A;
  })();
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/** GetMethod: undefined for undefined or null, TypeError when not callable. */
function getMethod(value: unknown, key: symbol): ((...args: unknown[]) => unknown) | undefined {
  const method = (toObject(value) as Record<symbol, unknown>)[key];
  if (method === undefined || method === null) return undefined;
  if (!isCallable(method)) throw new TypeError(`${String(key)} is not a function`);
  return method;
}

export function installArrayAdditions(): void {
  defineMethods(Array.prototype, arrayMethods);
  // ECMA-262 §23.1.3.41: the copying methods are unscopable too (not `with`).
  const unscopables = (Array.prototype as unknown as Record<symbol, Record<string, boolean>>)[Symbol.unscopables];
  for (const name of ["toReversed", "toSorted", "toSpliced"]) if (!(name in unscopables)) unscopables[name] = true;
  defineMethods(TypedArray.prototype, typedArrayMethods);
  defineMethods(Array, { fromAsync });
}
