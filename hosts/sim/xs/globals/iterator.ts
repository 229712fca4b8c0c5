/**
 * Iterator helpers (ES2025) and `Iterator.concat` (ES2026), which XS 17 has
 * and xsnap's XS lacks: the `Iterator` constructor, the helper methods on
 * %Iterator.prototype% (the engine's existing %IteratorPrototype%), and the
 * %IteratorHelperPrototype% / %WrapForValidIteratorPrototype% objects,
 * following ECMA-262 §27.1's steps (argument errors close the underlying
 * iterator, as the 2025 edition specifies).
 *
 * Each helper runs an internal generator; the helper object exposes only
 * `next` and `return`, as %IteratorHelperPrototype% does.
 */
import { defineMethod, defineMethods } from "./define";
import { isCallable, isObject, toIntegerOrInfinity } from "./abstract";

/** An Iterator Record. */
interface IteratorRecord {
  iterator: object;
  next: unknown;
  done: boolean;
}

const IteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;

function getIteratorDirect(object: object): IteratorRecord {
  return { iterator: object, next: (object as { next?: unknown }).next, done: false };
}

/** IteratorStepValue: the next value, or `DONE`. */
const DONE: unique symbol = Symbol("done");
function stepValue(record: IteratorRecord): unknown {
  let result: unknown;
  try {
    result = Reflect.apply(record.next as () => unknown, record.iterator, []);
    if (!isObject(result)) throw new TypeError("iterator result is not an object");
    if ((result as { done?: unknown }).done) {
      record.done = true;
      return DONE;
    }
    return (result as { value?: unknown }).value;
  } catch (error) {
    record.done = true;
    throw error;
  }
}

/** IteratorClose with a normal (or return) completion: errors from `return` and a non-object result throw. */
function closeIterator(iterator: object): void {
  const ret = (iterator as { return?: unknown }).return;
  if (ret === undefined || ret === null) return;
  const result = Reflect.apply(ret as () => unknown, iterator, []);
  if (!isObject(result)) throw new TypeError("iterator return() result is not an object");
}

/** IteratorClose with a throw completion: `return` is called, its outcome ignored; the caller rethrows. */
function closeIteratorAfterThrow(iterator: object): void {
  try {
    const ret = (iterator as { return?: unknown }).return;
    if (ret !== undefined && ret !== null) Reflect.apply(ret as () => unknown, iterator, []);
  } catch {
    // the original error wins
  }
}

/** Calls `fn`; if it throws, closes `iterator` and rethrows (IfAbruptCloseIterator). */
function closingOnThrow<T>(iterator: object, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    closeIteratorAfterThrow(iterator);
    throw error;
  }
}

/** Yields `value`; if the helper is returned from while suspended here, closes `iterator` (IfAbruptCloseIterator on Yield). */
function* yieldClosing(iterator: object, value: unknown): Generator<unknown, void, unknown> {
  let resumed = false;
  try {
    yield value;
    resumed = true;
  } finally {
    if (!resumed) closeIterator(iterator);
  }
}

/** GetIteratorFlattenable. */
function getIteratorFlattenable(value: unknown, primitives: "reject" | "iterate-strings"): IteratorRecord {
  if (!isObject(value) && (primitives === "reject" || typeof value !== "string")) throw new TypeError("not an iterable object");
  const method = (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  let iterator: unknown;
  if (method === undefined || method === null) iterator = value;
  else {
    if (!isCallable(method)) throw new TypeError("Symbol.iterator is not a function");
    iterator = Reflect.apply(method, value, []);
  }
  if (!isObject(iterator)) throw new TypeError("iterator is not an object");
  return getIteratorDirect(iterator);
}

// ---------------------------------------------------------------- %IteratorHelperPrototype%

interface HelperState {
  generator: Generator<unknown, void, unknown>;
  started: boolean;
  /** The iterator `return()` closes when the helper has not started yet (none for Iterator.concat). */
  underlying: object | undefined;
}

const helpers = new WeakMap<object, HelperState>();

function helperState(value: unknown): HelperState {
  const state = isObject(value) ? helpers.get(value) : undefined;
  if (state === undefined) throw new TypeError("this is not an Iterator Helper");
  return state;
}

const IteratorHelperPrototype = Object.create(IteratorPrototype) as object;
defineMethods(IteratorHelperPrototype, {
  next(this: unknown): IteratorResult<unknown> {
    const state = helperState(this);
    state.started = true;
    return state.generator.next();
  },
  return(this: unknown): IteratorResult<unknown> {
    const state = helperState(this);
    if (!state.started) {
      state.started = true;
      state.generator.return(undefined); // completed: later next() calls are done
      if (state.underlying !== undefined) closeIterator(state.underlying);
      return { value: undefined, done: true };
    }
    return state.generator.return(undefined);
  },
});
Object.defineProperty(IteratorHelperPrototype, Symbol.toStringTag, { value: "Iterator Helper", writable: false, enumerable: false, configurable: true });

function makeHelper(generator: Generator<unknown, void, unknown>, underlying: object | undefined): object {
  const helper = Object.create(IteratorHelperPrototype) as object;
  helpers.set(helper, { generator, started: false, underlying });
  return helper;
}

// ---------------------------------------------------------------- %WrapForValidIteratorPrototype%

const wrapped = new WeakMap<object, IteratorRecord>();

function wrappedRecord(value: unknown): IteratorRecord {
  const record = isObject(value) ? wrapped.get(value) : undefined;
  if (record === undefined) throw new TypeError("this is not a wrapped iterator");
  return record;
}

const WrapForValidIteratorPrototype = Object.create(IteratorPrototype) as object;
defineMethods(WrapForValidIteratorPrototype, {
  next(this: unknown): unknown {
    const record = wrappedRecord(this);
    return Reflect.apply(record.next as () => unknown, record.iterator, []);
  },
  return(this: unknown): unknown {
    const { iterator } = wrappedRecord(this);
    const ret = (iterator as { return?: unknown }).return;
    if (ret === undefined || ret === null) return { value: undefined, done: true };
    if (!isCallable(ret)) throw new TypeError("return is not a function");
    return Reflect.apply(ret, iterator, []);
  },
});

// ---------------------------------------------------------------- Iterator

/** The abstract `Iterator` constructor: only subclasses construct. */
function Iterator(this: unknown): void {
  if (new.target === undefined || new.target === (Iterator as unknown)) throw new TypeError("Iterator: abstract class");
}

const statics = {
  from(value: unknown): object {
    const record = getIteratorFlattenable(value, "iterate-strings");
    if (Object.prototype.isPrototypeOf.call(IteratorPrototype, record.iterator)) return record.iterator;
    const wrapper = Object.create(WrapForValidIteratorPrototype) as object;
    wrapped.set(wrapper, record);
    return wrapper;
  },
  concat(...items: unknown[]): object {
    const iterables: { method: (this: unknown) => unknown; iterable: object }[] = [];
    for (const item of items) {
      if (!isObject(item)) throw new TypeError("Iterator.concat: an item is not an object");
      const method = (item as { [Symbol.iterator]?: unknown })[Symbol.iterator];
      if (method === undefined || method === null) throw new TypeError("Iterator.concat: an item is not iterable");
      if (!isCallable(method)) throw new TypeError("Symbol.iterator is not a function");
      iterables.push({ method, iterable: item });
    }
    function* concatenate(): Generator<unknown, void, unknown> {
      for (const { method, iterable } of iterables) {
        const iterator = method.call(iterable);
        if (!isObject(iterator)) throw new TypeError("iterator is not an object");
        const record = getIteratorDirect(iterator);
        for (let value = stepValue(record); value !== DONE; value = stepValue(record)) yield* yieldClosing(iterator, value);
      }
    }
    return makeHelper(concatenate(), undefined);
  },
};

/** The `this` of a helper method: an object, and (once the arguments are valid) its Iterator Record. */
function thisIterator(value: unknown): object {
  if (!isObject(value)) throw new TypeError("this is not an object");
  return value;
}

type Callback = (...args: unknown[]) => unknown;

/** Argument check that closes the iterator first when it fails (ES2025). */
function requireCallable(iterator: object, fn: unknown, name: string): asserts fn is Callback {
  if (!isCallable(fn)) {
    closeIteratorAfterThrow(iterator);
    throw new TypeError(`${name} is not a function`);
  }
}

/** `take` / `drop`'s limit: ToNumber (closing on error), not NaN, not negative. */
function limitOf(iterator: object, limit: unknown): number {
  const number = closingOnThrow(iterator, () => +(limit as number));
  if (Number.isNaN(number)) {
    closeIteratorAfterThrow(iterator);
    throw new RangeError("limit is NaN");
  }
  const integer = toIntegerOrInfinity(number);
  if (integer < 0) {
    closeIteratorAfterThrow(iterator);
    throw new RangeError("limit is negative");
  }
  return integer;
}

/** The `this` of a helper taking a function: an object, its function (checked, closing on failure), its Iterator Record. */
function withCallback(self: unknown, fn: unknown, name: string): { O: object; fn: Callback; record: IteratorRecord } {
  const O = thisIterator(self);
  requireCallable(O, fn, name);
  return { O, fn, record: getIteratorDirect(O) };
}

/** Each value from a lazy helper's source with its counter, until the source is done. */
function* values(record: IteratorRecord): Generator<[unknown, number], void, unknown> {
  for (let counter = 0; ; counter++) {
    const value = stepValue(record);
    if (value === DONE) return;
    yield [value, counter];
  }
}

/**
 * The eager helpers' loop (forEach, some, every, find): calls `fn(value, counter)`
 * for each value; when `stop(result)` says so, closes the source and returns
 * that value. `found` is false when the source ran out instead.
 */
function visit(self: unknown, callback: unknown, stop: (result: unknown) => boolean): { found: boolean; value: unknown } {
  const { O, fn, record } = withCallback(self, callback, "predicate");
  for (let counter = 0; ; counter++) {
    const value = stepValue(record);
    if (value === DONE) return { found: false, value: undefined };
    const index = counter;
    if (stop(closingOnThrow(O, () => fn(value, index)))) {
      closeIterator(O);
      return { found: true, value };
    }
  }
}

const prototypeMethods = {
  map(this: unknown, mapper: unknown): object {
    const { O, fn, record } = withCallback(this, mapper, "mapper");
    function* run(): Generator<unknown, void, unknown> {
      for (const [value, counter] of values(record)) yield* yieldClosing(O, closingOnThrow(O, () => fn(value, counter)));
    }
    return makeHelper(run(), O);
  },
  filter(this: unknown, predicate: unknown): object {
    const { O, fn, record } = withCallback(this, predicate, "predicate");
    function* run(): Generator<unknown, void, unknown> {
      for (const [value, counter] of values(record)) if (closingOnThrow(O, () => fn(value, counter))) yield* yieldClosing(O, value);
    }
    return makeHelper(run(), O);
  },
  take(this: unknown, limit: unknown): object {
    const O = thisIterator(this);
    const integerLimit = limitOf(O, limit);
    const record = getIteratorDirect(O);
    function* run(): Generator<unknown, void, unknown> {
      for (let remaining = integerLimit; ; ) {
        if (remaining === 0) {
          closeIterator(O);
          return;
        }
        if (remaining !== Infinity) remaining--;
        const value = stepValue(record);
        if (value === DONE) return;
        yield* yieldClosing(O, value);
      }
    }
    return makeHelper(run(), O);
  },
  drop(this: unknown, limit: unknown): object {
    const O = thisIterator(this);
    const integerLimit = limitOf(O, limit);
    const record = getIteratorDirect(O);
    function* run(): Generator<unknown, void, unknown> {
      for (let remaining = integerLimit; remaining > 0; ) {
        if (remaining !== Infinity) remaining--;
        if (stepValue(record) === DONE) return;
      }
      for (const [value] of values(record)) yield* yieldClosing(O, value);
    }
    return makeHelper(run(), O);
  },
  flatMap(this: unknown, mapper: unknown): object {
    const { O, fn, record } = withCallback(this, mapper, "mapper");
    function* run(): Generator<unknown, void, unknown> {
      for (const [value, counter] of values(record)) {
        const inner = closingOnThrow(O, () => getIteratorFlattenable(fn(value, counter), "reject"));
        for (;;) {
          const innerValue = closingOnThrow(O, () => stepValue(inner));
          if (innerValue === DONE) break;
          let resumed = false;
          try {
            yield innerValue;
            resumed = true;
          } finally {
            if (!resumed) {
              // Returned from while suspended: close the inner iterator, then the outer one.
              try {
                closeIterator(inner.iterator);
              } catch (error) {
                closeIteratorAfterThrow(O);
                throw error;
              }
              closeIterator(O);
            }
          }
        }
      }
    }
    return makeHelper(run(), O);
  },
  reduce(this: unknown, reducer: unknown, ...rest: unknown[]): unknown {
    const { O, fn, record } = withCallback(this, reducer, "reducer");
    let accumulator: unknown;
    let counter: number;
    if (rest.length === 0) {
      accumulator = stepValue(record);
      if (accumulator === DONE) throw new TypeError("reduce of an empty iterator with no initial value");
      counter = 1;
    } else {
      accumulator = rest[0];
      counter = 0;
    }
    for (; ; counter++) {
      const value = stepValue(record);
      if (value === DONE) return accumulator;
      const previous = accumulator;
      const index = counter;
      accumulator = closingOnThrow(O, () => fn(previous, value, index));
    }
  },
  toArray(this: unknown): unknown[] {
    const record = getIteratorDirect(thisIterator(this));
    const items: unknown[] = [];
    for (let value = stepValue(record); value !== DONE; value = stepValue(record)) items.push(value);
    return items;
  },
  forEach(this: unknown, fn: unknown): undefined {
    visit(this, fn, () => false);
    return undefined;
  },
  some(this: unknown, predicate: unknown): boolean {
    return visit(this, predicate, Boolean).found;
  },
  every(this: unknown, predicate: unknown): boolean {
    return !visit(this, predicate, (result) => !result).found;
  },
  find(this: unknown, predicate: unknown): unknown {
    return visit(this, predicate, Boolean).value;
  },
};

/** SetterThatIgnoresPrototypeProperties(this, %Iterator.prototype%, key, value). */
function setIgnoringPrototype(self: unknown, key: string | symbol, value: unknown): void {
  if (!isObject(self)) throw new TypeError("this is not an object");
  if (self === IteratorPrototype) throw new TypeError(`cannot set ${String(key)} on Iterator.prototype`);
  if (Object.getOwnPropertyDescriptor(self, key) === undefined) {
    Object.defineProperty(self, key, { value, writable: true, enumerable: true, configurable: true });
  } else if (!Reflect.set(self, key, value)) throw new TypeError(`cannot set ${String(key)}`);
}

export function installIterator(): void {
  if ("Iterator" in globalThis) return;
  Object.defineProperty(Iterator, "prototype", { value: IteratorPrototype, writable: false, enumerable: false, configurable: false });
  defineMethods(Iterator, statics);
  defineMethods(IteratorPrototype, prototypeMethods);
  // Accessors, as ES2025 specifies them, so that assigning either on an iterator object keeps working.
  const accessors = {
    get constructor(): unknown {
      return Iterator;
    },
    set constructor(value: unknown) {
      setIgnoringPrototype(this, "constructor", value);
    },
    get [Symbol.toStringTag](): string {
      return "Iterator";
    },
    set [Symbol.toStringTag](value: unknown) {
      setIgnoringPrototype(this, Symbol.toStringTag, value);
    },
  };
  for (const key of ["constructor", Symbol.toStringTag] as const) {
    if (Object.prototype.hasOwnProperty.call(IteratorPrototype, key)) continue;
    const { get, set } = Object.getOwnPropertyDescriptor(accessors, key)!;
    Object.defineProperty(IteratorPrototype, key, { get, set, enumerable: false, configurable: true });
  }
  defineMethod(globalThis, "Iterator", Iterator);
}
