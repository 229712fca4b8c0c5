/**
 * Binary-data additions XS 17 has and xsnap's XS lacks:
 * `ArrayBuffer.prototype.detached` and `transferToFixedLength` (ES2024),
 * `Math.f16round` with `DataView.prototype.getFloat16` / `setFloat16`
 * (ES2025; the `Float16Array` type itself is not provided, see
 * docs/compatibility.md), and Uint8Array base64 / hex (ES2026:
 * `Uint8Array.fromBase64`, `fromHex`, `toBase64`, `toHex`, `setFromBase64`,
 * `setFromHex`), following ECMA-262's steps.
 */
import { defineGetter, defineMethods } from "./define";
import { isDetached, isObject, toIndex } from "./abstract";

// ---------------------------------------------------------------- ArrayBuffer

const byteLengthOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get! as (this: ArrayBuffer) => number;
const resizableOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")!.get! as (this: ArrayBuffer) => boolean;
const transfer = (ArrayBuffer.prototype as unknown as { transfer: (this: ArrayBuffer, length?: number) => ArrayBuffer }).transfer;

function detached(this: unknown): boolean {
  byteLengthOf.call(this as ArrayBuffer); // RequireInternalSlot; a SharedArrayBuffer throws too
  return isDetached(this as ArrayBuffer);
}

const arrayBufferMethods = {
  transferToFixedLength(this: unknown, newLength: unknown = undefined): ArrayBuffer {
    const buffer = this as ArrayBuffer;
    const current = byteLengthOf.call(buffer); // RequireInternalSlot; a SharedArrayBuffer throws too
    const length = newLength === undefined ? current : toIndex(newLength);
    if (isDetached(buffer)) throw new TypeError("transferToFixedLength: detached buffer");
    if (!resizableOf.call(buffer)) return transfer.call(buffer, length);
    const result = new ArrayBuffer(length);
    new Uint8Array(result).set(new Uint8Array(buffer, 0, Math.min(length, byteLengthOf.call(buffer))));
    transfer.call(buffer, 0); // detaches the source
    return result;
  },
};

// ---------------------------------------------------------------- float16

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The IEEE 754 binary16 bits nearest to `value` (round half to even). */
export function float16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Infinity) return sign | 0x7c00;
  if (magnitude === 0) return sign;
  if (magnitude < 2 ** -14) return sign | roundHalfEven(magnitude * 2 ** 24); // subnormal; 1024 is the smallest normal
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent--;
  else if (2 ** (exponent + 1) <= magnitude) exponent++;
  let mantissa = roundHalfEven((magnitude / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent++;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | mantissa;
}

/** The number a binary16 bit pattern stands for. */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const dataViewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, "buffer")!.get!;
const getUint16 = DataView.prototype.getUint16;
const setUint16 = DataView.prototype.setUint16;

const dataViewMethods = {
  getFloat16(this: unknown, byteOffset: unknown): number {
    dataViewBuffer.call(this); // RequireInternalSlot(view, [[DataView]])
    const index = toIndex(byteOffset);
    const littleEndian = Boolean(arguments[1]);
    return float16Value(getUint16.call(this as DataView, index, littleEndian));
  },
  setFloat16(this: unknown, byteOffset: unknown, value: unknown): undefined {
    dataViewBuffer.call(this);
    const index = toIndex(byteOffset);
    const number = +(value as number);
    const littleEndian = Boolean(arguments[2]);
    setUint16.call(this as DataView, index, float16Bits(number), littleEndian);
    return undefined;
  },
};

const mathMethods = {
  f16round(x: unknown): number {
    return float16Value(float16Bits(+(x as number)));
  },
};

// ---------------------------------------------------------------- base64 and hex

const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array).prototype, Symbol.toStringTag)!.get!;
const typedArrayBuffer = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array).prototype, "buffer")!.get!;

/** ValidateUint8Array, then the array itself (TypeError when detached, for the methods that read or write it). */
function thisUint8Array(value: unknown): Uint8Array {
  if (typedArrayName.call(value) !== "Uint8Array") throw new TypeError("this is not a Uint8Array");
  return value as Uint8Array;
}

function requireAttached(array: Uint8Array): void {
  const buffer = typedArrayBuffer.call(array) as ArrayBufferLike;
  if (buffer instanceof ArrayBuffer && isDetached(buffer)) throw new TypeError("detached buffer");
}

function optionsObject(options: unknown): object {
  if (options === undefined) return Object.create(null) as object;
  if (isObject(options)) return options;
  throw new TypeError("options is not an object");
}

function alphabetOf(options: object): "base64" | "base64url" {
  const alphabet = (options as { alphabet?: unknown }).alphabet;
  if (alphabet === undefined) return "base64";
  if (alphabet === "base64" || alphabet === "base64url") return alphabet;
  throw new TypeError('alphabet must be "base64" or "base64url"');
}

type LastChunk = "loose" | "strict" | "stop-before-partial";

function lastChunkOf(options: object): LastChunk {
  const handling = (options as { lastChunkHandling?: unknown }).lastChunkHandling;
  if (handling === undefined) return "loose";
  if (handling === "loose" || handling === "strict" || handling === "stop-before-partial") return handling;
  throw new TypeError('lastChunkHandling must be "loose", "strict" or "stop-before-partial"');
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUES = new Map<string, number>(Array.from(BASE64, (c, i) => [c, i]));

interface Decoded {
  read: number;
  bytes: number[];
  error: SyntaxError | undefined;
}

/** DecodeBase64Chunk: 2, 3 or 4 characters to 1, 2 or 3 bytes; with `strict`, unused bits must be zero. */
function decodeChunk(chunk: string, strict: boolean): number[] | SyntaxError {
  const length = chunk.length;
  const padded = length === 2 ? `${chunk}AA` : length === 3 ? `${chunk}A` : chunk;
  let n = 0;
  for (let i = 0; i < 4; i++) n = (n << 6) | BASE64_VALUES.get(padded[i])!;
  const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  if (length === 2) {
    if (strict && bytes[1] !== 0) return new SyntaxError("base64: extra bits");
    return [bytes[0]];
  }
  if (length === 3) {
    if (strict && bytes[2] !== 0) return new SyntaxError("base64: extra bits");
    return [bytes[0], bytes[1]];
  }
  return bytes;
}

function skipWhitespace(text: string, index: number): number {
  while (index < text.length) {
    const c = text.charCodeAt(index);
    if (c !== 0x09 && c !== 0x0a && c !== 0x0c && c !== 0x0d && c !== 0x20) break;
    index++;
  }
  return index;
}

/** FromBase64. */
function fromBase64(text: string, alphabet: "base64" | "base64url", lastChunk: LastChunk, maxLength = Number.MAX_SAFE_INTEGER): Decoded {
  const bytes: number[] = [];
  if (maxLength === 0) return { read: 0, bytes, error: undefined };
  const fail = (read: number): Decoded => ({ read, bytes, error: new SyntaxError("base64: invalid input") });
  let read = 0;
  let chunk = "";
  let index = 0;
  const length = text.length;
  for (;;) {
    index = skipWhitespace(text, index);
    if (index === length) {
      if (chunk.length > 0) {
        if (lastChunk === "stop-before-partial") return { read, bytes, error: undefined };
        if (lastChunk === "strict" || chunk.length === 1) return fail(read);
        const decoded = decodeChunk(chunk, false) as number[];
        bytes.push(...decoded);
      }
      return { read: length, bytes, error: undefined };
    }
    let char = text[index++];
    if (char === "=") {
      if (chunk.length < 2) return fail(read);
      index = skipWhitespace(text, index);
      if (chunk.length === 2) {
        if (index === length) {
          if (lastChunk === "stop-before-partial") return { read, bytes, error: undefined };
          return fail(read);
        }
        if (text[index] === "=") index = skipWhitespace(text, index + 1);
      }
      if (index < length) return fail(read);
      const decoded = decodeChunk(chunk, lastChunk === "strict");
      if (decoded instanceof SyntaxError) return { read, bytes, error: decoded };
      bytes.push(...decoded);
      return { read: length, bytes, error: undefined };
    }
    if (alphabet === "base64url") {
      if (char === "+" || char === "/") return fail(read);
      if (char === "-") char = "+";
      else if (char === "_") char = "/";
    }
    if (!BASE64_VALUES.has(char)) return fail(read);
    const remaining = maxLength - bytes.length;
    if ((remaining === 1 && chunk.length === 2) || (remaining === 2 && chunk.length === 3)) return { read, bytes, error: undefined };
    chunk += char;
    if (chunk.length === 4) {
      bytes.push(...(decodeChunk(chunk, false) as number[]));
      chunk = "";
      read = index;
      if (bytes.length === maxLength) return { read, bytes, error: undefined };
    }
  }
}

/** FromHex. */
function fromHex(text: string, maxLength = Number.MAX_SAFE_INTEGER): Decoded {
  const bytes: number[] = [];
  const length = text.length;
  if (length % 2 !== 0) return { read: 0, bytes, error: new SyntaxError("hex: odd length") };
  let read = 0;
  while (read < length && bytes.length < maxLength) {
    const pair = text.slice(read, read + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return { read, bytes, error: new SyntaxError("hex: invalid digit") };
    read += 2;
    bytes.push(parseInt(pair, 16));
  }
  return { read, bytes, error: undefined };
}

function requireString(value: unknown): string {
  if (typeof value !== "string") throw new TypeError("argument is not a string");
  return value;
}

function toBase64Text(bytes: Uint8Array, alphabet: "base64" | "base64url", omitPadding: boolean): string {
  const table = alphabet === "base64" ? BASE64 : BASE64.slice(0, 62) + "-_";
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += table[n >> 18] + table[(n >> 12) & 63] + table[(n >> 6) & 63] + table[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += table[n >> 18] + table[(n >> 12) & 63] + (omitPadding ? "" : "==");
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += table[n >> 18] + table[(n >> 12) & 63] + table[(n >> 6) & 63] + (omitPadding ? "" : "=");
  }
  return out;
}

const uint8ArrayStatics = {
  fromBase64(string: unknown, options: unknown = undefined): Uint8Array {
    const text = requireString(string);
    const opts = optionsObject(options);
    const alphabet = alphabetOf(opts);
    const lastChunk = lastChunkOf(opts);
    const result = fromBase64(text, alphabet, lastChunk);
    if (result.error !== undefined) throw result.error;
    return Uint8Array.from(result.bytes);
  },
  fromHex(string: unknown): Uint8Array {
    const result = fromHex(requireString(string));
    if (result.error !== undefined) throw result.error;
    return Uint8Array.from(result.bytes);
  },
};

const uint8ArrayMethods = {
  toBase64(this: unknown, options: unknown = undefined): string {
    const array = thisUint8Array(this);
    const opts = optionsObject(options);
    const alphabet = alphabetOf(opts);
    const omitPadding = Boolean((opts as { omitPadding?: unknown }).omitPadding);
    requireAttached(array);
    return toBase64Text(array, alphabet, omitPadding);
  },
  toHex(this: unknown): string {
    const array = thisUint8Array(this);
    requireAttached(array);
    let out = "";
    for (let i = 0; i < array.length; i++) out += (array[i] < 16 ? "0" : "") + array[i].toString(16);
    return out;
  },
  setFromBase64(this: unknown, string: unknown, options: unknown = undefined): { read: number; written: number } {
    const into = thisUint8Array(this);
    const text = requireString(string);
    const opts = optionsObject(options);
    const alphabet = alphabetOf(opts);
    const lastChunk = lastChunkOf(opts);
    requireAttached(into);
    const result = fromBase64(text, alphabet, lastChunk, into.length);
    into.set(result.bytes);
    if (result.error !== undefined) throw result.error;
    return { read: result.read, written: result.bytes.length };
  },
  setFromHex(this: unknown, string: unknown): { read: number; written: number } {
    const into = thisUint8Array(this);
    const text = requireString(string);
    requireAttached(into);
    const result = fromHex(text, into.length);
    into.set(result.bytes);
    if (result.error !== undefined) throw result.error;
    return { read: result.read, written: result.bytes.length };
  },
};

export function installBinaryAdditions(): void {
  defineGetter(ArrayBuffer.prototype, "detached", detached);
  defineMethods(ArrayBuffer.prototype, arrayBufferMethods);
  defineMethods(DataView.prototype, dataViewMethods);
  defineMethods(Math, mathMethods);
  defineMethods(Uint8Array, uint8ArrayStatics);
  defineMethods(Uint8Array.prototype, uint8ArrayMethods);
}
