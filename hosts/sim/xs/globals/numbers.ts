/**
 * `Math.sumPrecise` (ES2026), which XS 17 has (xsMath.c, Radford Neal's
 * exact summation) and xsnap's XS lacks: the exactly rounded sum of an
 * iterable of Numbers. Here the exact sum is a BigInt in units of 2^-1074
 * (every finite double is a whole number of those), rounded once to the
 * nearest double, ties to even.
 */
import { defineMethods } from "./define";

const bits = new DataView(new ArrayBuffer(8));

/** A finite double as a BigInt count of 2^-1074. */
function scaled(value: number): bigint {
  bits.setFloat64(0, value);
  const high = bits.getUint32(0);
  const low = bits.getUint32(4);
  const exponent = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  const magnitude = exponent === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(exponent - 1);
  return high >>> 31 ? -magnitude : magnitude;
}

/** The double nearest to `sum` × 2^-1074 (ties to even; past the largest double, Infinity). */
function rounded(sum: bigint): number {
  if (sum === 0n) return 0;
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  const length = magnitude.toString(2).length;
  let result: number;
  if (length <= 53) result = Number(magnitude) * 2 ** -1074;
  else {
    let shift = length - 53;
    let q = magnitude >> BigInt(shift);
    const rest = magnitude - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
    if (q === 1n << 53n) {
      q = 1n << 52n;
      shift++;
    }
    const exponent = shift - 1074;
    result = exponent > 971 ? Infinity : Number(q) * 2 ** exponent;
  }
  return negative ? -result : result;
}

const mathMethods = {
  sumPrecise(items: unknown): number {
    if (items === undefined || items === null) throw new TypeError("Math.sumPrecise: items is null or undefined");
    let state: "minus-zero" | "finite" | "plus-infinity" | "minus-infinity" | "not-a-number" = "minus-zero";
    let sum = 0n;
    let count = 0;
    // for-of closes the iterator when the body throws.
    for (const value of items as Iterable<unknown>) {
      if (++count > Number.MAX_SAFE_INTEGER) throw new TypeError("Math.sumPrecise: too many items");
      if (typeof value !== "number") throw new TypeError(`Math.sumPrecise: items[${count - 1}] is not a number`);
      if (state === "not-a-number") continue;
      if (Number.isNaN(value)) state = "not-a-number";
      else if (value === Infinity) state = state === "minus-infinity" ? "not-a-number" : "plus-infinity";
      else if (value === -Infinity) state = state === "plus-infinity" ? "not-a-number" : "minus-infinity";
      else if (!Object.is(value, -0) && (state === "minus-zero" || state === "finite")) {
        state = "finite";
        sum += scaled(value);
      }
    }
    switch (state) {
      case "not-a-number":
        return NaN;
      case "plus-infinity":
        return Infinity;
      case "minus-infinity":
        return -Infinity;
      case "minus-zero":
        return -0;
      default:
        return rounded(sum);
    }
  },
};

export function installNumberAdditions(): void {
  defineMethods(Math, mathMethods);
}
