/**
 * Squirrel's global byte-order functions `swap2`, `swap4` and `swapfloat`
 * (the impOS "system" functions; not the blob methods of the same names).
 * Squirrel integers are 32-bit and its floats 32-bit IEEE, so values are
 * taken to those widths first.
 */
import { describeValue } from "./describe";

/** Scratch for `swapfloat`; made on first use (preloaded typed arrays are read-only). */
let scratch: DataView | undefined;

function number(method: string, value: unknown): number {
  if (typeof value !== "number") throw new TypeError(`${method}: value ${describeValue(value)} is not a number`);
  return value;
}

/**
 * impOS `swap2(value)`: swaps the two low bytes of a 32-bit integer and
 * zeroes the upper two: `swap2(0x1A2B3C4D)` is `0x4D3C`. A float is truncated first.
 */
export function swap2(value: number): number {
  const v = number("swap2", value) | 0;
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

/**
 * impOS `swap4(value)`: reverses the four bytes of a 32-bit integer:
 * `swap4(0x1A2B3C4D)` is `0x4D3C2B1A`. The result is a signed 32-bit
 * integer, as Squirrel's: `swap4(0xFF)` is -16777216. A float is truncated first.
 */
export function swap4(value: number): number {
  const v = number("swap4", value) | 0;
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/**
 * impOS `swapfloat(value)`: reverses the four bytes of a 32-bit float and
 * reads them back as a float: `swapfloat(1.0)` has the bytes 00 00 80 3F.
 * `value` is rounded to 32 bits first. A result that is a NaN carries no
 * bits in JavaScript, so swapping it back does not restore the original.
 */
export function swapfloat(value: number): number {
  const v = number("swapfloat", value);
  const view = (scratch ??= new DataView(new ArrayBuffer(4)));
  view.setFloat32(0, v, true);
  return view.getFloat32(0, false);
}
