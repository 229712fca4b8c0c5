/**
 * Collection additions XS 17 has and xsnap's XS lacks: `Object.groupBy` and
 * `Map.groupBy` (ES2024), the Set methods (ES2025: `union`, `intersection`,
 * `difference`, `symmetricDifference`, `isSubsetOf`, `isSupersetOf`,
 * `isDisjointFrom`) and `getOrInsert` / `getOrInsertComputed` on Map and
 * WeakMap (the upsert proposal, xsMapSet.c), following the specification's
 * steps with the engine's own Set and Map operations.
 */
import { defineMethods } from "./define";
import { canonicalKey, isCallable, isObject, toIntegerOrInfinity, toPropertyKey } from "./abstract";

const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size")!.get! as (this: Set<unknown>) => number;
const setHas = Set.prototype.has;
const setAdd = Set.prototype.add;
const setDelete = Set.prototype.delete;
const setValues = Set.prototype.values;
const mapHas = Map.prototype.has;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const weakMapHas = WeakMap.prototype.has;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;

// ---------------------------------------------------------------- groupBy

/** GroupBy(items, callback, keyCoercion): groups in first-seen order; the iterator is closed if the callback throws. */
function groupBy(items: unknown, callback: unknown, coerce: (key: unknown) => unknown): Map<unknown, unknown[]> {
  if (items === undefined || items === null) throw new TypeError("groupBy: items is null or undefined");
  if (!isCallable(callback)) throw new TypeError("groupBy: callback is not a function");
  const groups = new Map<unknown, unknown[]>();
  let k = 0;
  // for-of gives GetIterator, IteratorStepValue, and IteratorClose when the body throws.
  for (const value of items as Iterable<unknown>) {
    if (k >= Number.MAX_SAFE_INTEGER) throw new TypeError("groupBy: too many items");
    const key = coerce(callback(value, k));
    const group = mapGet.call(groups, key) as unknown[] | undefined;
    if (group === undefined) mapSet.call(groups, key, [value]);
    else group.push(value);
    k++;
  }
  return groups;
}

const objectMethods = {
  groupBy(items: unknown, callback: unknown): Record<PropertyKey, unknown[]> {
    const groups = groupBy(items, callback, toPropertyKey);
    const result = Object.create(null) as Record<PropertyKey, unknown[]>;
    for (const [key, elements] of groups) {
      Object.defineProperty(result, key as PropertyKey, { value: elements, writable: true, enumerable: true, configurable: true });
    }
    return result;
  },
};

const mapStatics = {
  groupBy(items: unknown, callback: unknown): Map<unknown, unknown[]> {
    const groups = groupBy(items, callback, canonicalKey);
    const result = new Map<unknown, unknown[]>();
    for (const [key, elements] of groups) mapSet.call(result, key, elements);
    return result;
  },
};

// ---------------------------------------------------------------- Set methods

interface SetRecord {
  set: object;
  size: number;
  has: (this: object, value: unknown) => unknown;
  keys: (this: object) => unknown;
}

/** GetSetRecord: size (a number, not NaN, not negative), has and keys (callable). */
function getSetRecord(other: unknown): SetRecord {
  if (!isObject(other)) throw new TypeError("other is not an object");
  const rawSize = (other as { size?: unknown }).size;
  const numSize = +(rawSize as number);
  if (Number.isNaN(numSize)) throw new TypeError("other.size is not a number");
  const size = toIntegerOrInfinity(numSize);
  if (size < 0) throw new RangeError("other.size is negative");
  const has = (other as { has?: unknown }).has;
  if (!isCallable(has)) throw new TypeError("other.has is not a function");
  const keys = (other as { keys?: unknown }).keys;
  if (!isCallable(keys)) throw new TypeError("other.keys is not a function");
  return { set: other, size, has: has as SetRecord["has"], keys: keys as SetRecord["keys"] };
}

/** GetIteratorFromMethod(other, keys) as a function returning the next value or `done`. */
function keysOf(record: SetRecord): { step(): { done: boolean; value: unknown }; close(): void } {
  const iterator = record.keys.call(record.set);
  if (!isObject(iterator)) throw new TypeError("other.keys() did not return an object");
  const next = (iterator as { next?: unknown }).next;
  return {
    step() {
      const result = (next as (this: object) => unknown).call(iterator);
      if (!isObject(result)) throw new TypeError("iterator result is not an object");
      const done = Boolean((result as { done?: unknown }).done);
      return { done, value: done ? undefined : (result as { value?: unknown }).value };
    },
    close() {
      // IteratorClose with a normal completion.
      const ret = (iterator as { return?: unknown }).return;
      if (ret === undefined || ret === null) return;
      const result = (ret as (this: object) => unknown).call(iterator);
      if (!isObject(result)) throw new TypeError("iterator return() result is not an object");
    },
  };
}

/** RequireInternalSlot(O, [[SetData]]): TypeError for anything but a Set. */
function thisSet(value: unknown): Set<unknown> {
  setSize.call(value as Set<unknown>);
  return value as Set<unknown>;
}

function copySet(set: Set<unknown>): Set<unknown> {
  const result = new Set<unknown>();
  for (const value of setValues.call(set)) setAdd.call(result, value);
  return result;
}

const setMethods = {
  union(this: unknown, other: unknown): Set<unknown> {
    const O = thisSet(this);
    const record = getSetRecord(other);
    const keys = keysOf(record);
    const result = copySet(O);
    for (let next = keys.step(); !next.done; next = keys.step()) setAdd.call(result, canonicalKey(next.value));
    return result;
  },
  intersection(this: unknown, other: unknown): Set<unknown> {
    const O = thisSet(this);
    const record = getSetRecord(other);
    const result = new Set<unknown>();
    if (setSize.call(O) <= record.size) {
      for (const e of setValues.call(O)) if (record.has.call(record.set, e)) setAdd.call(result, e);
    } else {
      const keys = keysOf(record);
      for (let next = keys.step(); !next.done; next = keys.step()) {
        const value = canonicalKey(next.value);
        if (setHas.call(O, value)) setAdd.call(result, value);
      }
    }
    return result;
  },
  difference(this: unknown, other: unknown): Set<unknown> {
    const O = thisSet(this);
    const record = getSetRecord(other);
    const result = copySet(O);
    if (setSize.call(O) <= record.size) {
      for (const e of setValues.call(O)) if (record.has.call(record.set, e)) setDelete.call(result, e);
    } else {
      const keys = keysOf(record);
      for (let next = keys.step(); !next.done; next = keys.step()) setDelete.call(result, canonicalKey(next.value));
    }
    return result;
  },
  symmetricDifference(this: unknown, other: unknown): Set<unknown> {
    const O = thisSet(this);
    const record = getSetRecord(other);
    const keys = keysOf(record);
    const result = copySet(O);
    for (let next = keys.step(); !next.done; next = keys.step()) {
      const value = canonicalKey(next.value);
      if (setHas.call(O, value)) setDelete.call(result, value);
      else setAdd.call(result, value);
    }
    return result;
  },
  isSubsetOf(this: unknown, other: unknown): boolean {
    const O = thisSet(this);
    const record = getSetRecord(other);
    if (setSize.call(O) > record.size) return false;
    for (const e of setValues.call(O)) if (!record.has.call(record.set, e)) return false;
    return true;
  },
  isSupersetOf(this: unknown, other: unknown): boolean {
    const O = thisSet(this);
    const record = getSetRecord(other);
    if (setSize.call(O) < record.size) return false;
    const keys = keysOf(record);
    for (let next = keys.step(); !next.done; next = keys.step()) {
      if (!setHas.call(O, next.value)) {
        keys.close();
        return false;
      }
    }
    return true;
  },
  isDisjointFrom(this: unknown, other: unknown): boolean {
    const O = thisSet(this);
    const record = getSetRecord(other);
    if (setSize.call(O) <= record.size) {
      for (const e of setValues.call(O)) if (record.has.call(record.set, e)) return false;
    } else {
      const keys = keysOf(record);
      for (let next = keys.step(); !next.done; next = keys.step()) {
        if (setHas.call(O, next.value)) {
          keys.close();
          return false;
        }
      }
    }
    return true;
  },
};

// ---------------------------------------------------------------- getOrInsert

/** CanBeHeldWeakly: objects, and symbols not in the global registry. */
function canBeHeldWeakly(value: unknown): boolean {
  if (isObject(value)) return true;
  return typeof value === "symbol" && Symbol.keyFor(value) === undefined;
}

const mapMethods = {
  getOrInsert(this: unknown, key: unknown, value: unknown): unknown {
    const map = this as Map<unknown, unknown>;
    mapHas.call(map, undefined); // RequireInternalSlot(M, [[MapData]])
    const k = canonicalKey(key);
    if (mapHas.call(map, k)) return mapGet.call(map, k);
    mapSet.call(map, k, value);
    return value;
  },
  getOrInsertComputed(this: unknown, key: unknown, callbackfn: unknown): unknown {
    const map = this as Map<unknown, unknown>;
    mapHas.call(map, undefined);
    if (!isCallable(callbackfn)) throw new TypeError("getOrInsertComputed: callbackfn is not a function");
    const k = canonicalKey(key);
    if (mapHas.call(map, k)) return mapGet.call(map, k);
    const value = callbackfn.call(undefined, k);
    mapSet.call(map, k, value); // replaces what the callback may have inserted under the same key
    return value;
  },
};

const weakMapMethods = {
  getOrInsert(this: unknown, key: unknown, value: unknown): unknown {
    const map = this as WeakMap<object, unknown>;
    weakMapHas.call(map, {}); // RequireInternalSlot(M, [[WeakMapData]])
    if (!canBeHeldWeakly(key)) throw new TypeError("key: not an object");
    if (weakMapHas.call(map, key as object)) return weakMapGet.call(map, key as object);
    weakMapSet.call(map, key as object, value);
    return value;
  },
  getOrInsertComputed(this: unknown, key: unknown, callbackfn: unknown): unknown {
    const map = this as WeakMap<object, unknown>;
    weakMapHas.call(map, {});
    if (!canBeHeldWeakly(key)) throw new TypeError("key: not an object");
    if (!isCallable(callbackfn)) throw new TypeError("getOrInsertComputed: callbackfn is not a function");
    if (weakMapHas.call(map, key as object)) return weakMapGet.call(map, key as object);
    const value = callbackfn.call(undefined, key);
    weakMapSet.call(map, key as object, value);
    return value;
  },
};

export function installCollectionAdditions(): void {
  defineMethods(Object, objectMethods);
  defineMethods(Map, mapStatics);
  defineMethods(Set.prototype, setMethods);
  defineMethods(Map.prototype, mapMethods);
  defineMethods(WeakMap.prototype, weakMapMethods);
}
