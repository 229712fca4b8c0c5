/**
 * `Atomics.waitAsync` (ES2024), which XS 17 has and xsnap's XS lacks: wait,
 * without blocking, for an `Atomics.notify` on a shared Int32Array or
 * BigInt64Array element, or for a timeout. The simulator's firmware is one
 * agent, so only its own `Atomics.notify` can wake a waiter: `notify` is
 * wrapped to wake these waiters, first in, first out, after the engine's own.
 */
import { defineMethods, replaceMethod } from "./define";
import { toBigInt, toIndex, toIntegerOrInfinity } from "./abstract";

/** Timers of the host the firmware runs on. */
export interface Scheduler {
  set(callback: () => void, ms: number): object;
  clear(timer: object): void;
}

interface Waiter {
  resolve(value: "ok" | "timed-out"): void;
  timer: object | undefined;
}

const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int32Array).prototype, Symbol.toStringTag)!.get!;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int32Array).prototype, "buffer")!.get!;
const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int32Array).prototype, "length")!.get!;
const typedArrayOffset = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int32Array).prototype, "byteOffset")!.get!;
const originalNotify = Atomics.notify;

/** Waiters by shared buffer, then by byte index. */
const waiters = new WeakMap<object, Map<number, Waiter[]>>();

/** ValidateIntegerTypedArray(waitable) on a SharedArrayBuffer, and ValidateAtomicAccess: the byte index in the buffer. */
function waitLocation(array: unknown, index: unknown): { buffer: object; byteIndex: number; bigint: boolean; view: Int32Array | BigInt64Array; i: number } {
  const name = typedArrayName.call(array) as string | undefined;
  if (name !== "Int32Array" && name !== "BigInt64Array") throw new TypeError("Atomics.waitAsync: not an Int32Array or BigInt64Array");
  const buffer = typedArrayBuffer.call(array) as object;
  if (!(buffer instanceof SharedArrayBuffer)) throw new TypeError("Atomics.waitAsync: not on a SharedArrayBuffer");
  const i = toIndex(index);
  if (i >= (typedArrayLength.call(array) as number)) throw new RangeError("Atomics.waitAsync: index out of range");
  const size = name === "Int32Array" ? 4 : 8;
  return { buffer, byteIndex: i * size + (typedArrayOffset.call(array) as number), bigint: name === "BigInt64Array", view: array as Int32Array, i };
}

function remove(buffer: object, byteIndex: number, waiter: Waiter): void {
  const list = waiters.get(buffer)?.get(byteIndex);
  const at = list?.indexOf(waiter) ?? -1;
  if (list !== undefined && at >= 0) list.splice(at, 1);
}

export function installAtomicsAdditions(scheduler: Scheduler): void {
  if (typeof (Atomics as { waitAsync?: unknown }).waitAsync === "function") return;
  defineMethods(Atomics, {
    waitAsync(typedArray: unknown, index: unknown, value: unknown, timeout: unknown): { async: boolean; value: unknown } {
      const { buffer, byteIndex, bigint, view, i } = waitLocation(typedArray, index);
      const expected = bigint ? BigInt.asIntN(64, toBigInt(value)) : +(value as number) | 0;
      const q = +(timeout as number);
      const t = Number.isNaN(q) || q === Infinity ? Infinity : q === -Infinity ? 0 : Math.max(q, 0);
      if (Atomics.load(view as Int32Array, i) !== expected) return { async: false, value: "not-equal" };
      if (t === 0) return { async: false, value: "timed-out" };
      let resolve!: (value: "ok" | "timed-out") => void;
      const promise = new Promise<"ok" | "timed-out">((r) => (resolve = r));
      const waiter: Waiter = { resolve, timer: undefined };
      let byIndex = waiters.get(buffer);
      if (byIndex === undefined) waiters.set(buffer, (byIndex = new Map()));
      const list = byIndex.get(byteIndex) ?? [];
      byIndex.set(byteIndex, list);
      list.push(waiter);
      if (t !== Infinity) {
        waiter.timer = scheduler.set(() => {
          remove(buffer, byteIndex, waiter);
          resolve("timed-out");
        }, t);
      }
      return { async: true, value: promise };
    },
  });
  const notify = function notify(typedArray: unknown, index: unknown, count?: unknown): number {
    const woken = originalNotify(typedArray as Int32Array, index as number, count as number);
    const c = count === undefined ? Infinity : Math.max(toIntegerOrInfinity(count), 0);
    const name = typedArrayName.call(typedArray) as string | undefined;
    if (name !== "Int32Array" && name !== "BigInt64Array") return woken;
    const buffer = typedArrayBuffer.call(typedArray) as object;
    const byteIndex = toIndex(index) * (name === "Int32Array" ? 4 : 8) + (typedArrayOffset.call(typedArray) as number);
    const list = waiters.get(buffer)?.get(byteIndex);
    let n = 0;
    while (list !== undefined && list.length > 0 && woken + n < c) {
      const waiter = list.shift()!;
      if (waiter.timer !== undefined) scheduler.clear(waiter.timer);
      waiter.resolve("ok");
      n++;
    }
    return woken + n;
  };
  replaceMethod(Atomics, "notify", notify);
}
