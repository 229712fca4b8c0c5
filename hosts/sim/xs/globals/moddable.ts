/**
 * XS's own additions that Moddable's runtime has and xsnap's XS lacks:
 * `String.fromArrayBuffer` (xs/sources/xsString.c), `ArrayBuffer.fromString`
 * (xsDataView.c) and `Math.irandom` (xsMath.c), with XS's argument handling
 * and errors.
 *
 * XS keeps strings as UTF-8 internally, so these two convert between a
 * string and the bytes of that representation: UTF-8, where a lone
 * surrogate is its own three-byte sequence (as in XS's memory) and NUL is a
 * zero byte.
 */
import { defineMethod } from "./define";

const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;
const sharedByteLength =
  typeof SharedArrayBuffer === "function" ? Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength")!.get! : undefined;

/** The byte length of an ArrayBuffer or SharedArrayBuffer (0 when detached), or -1 for anything else. */
function bufferLength(value: unknown): number {
  if (typeof value !== "object" || value === null) return -1;
  try {
    return arrayBufferByteLength.call(value) as number;
  } catch {
    // not an ArrayBuffer
  }
  if (sharedByteLength === undefined) return -1;
  try {
    return sharedByteLength.call(value) as number;
  } catch {
    return -1;
  }
}

/** XS's fxArgToByteLength: undefined → the default, else a truncated number 0…0x7FFFFFFF (NaN → 0). */
function byteLengthArgument(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Math.trunc(Number(value));
  if (Number.isNaN(n)) return 0;
  if (n < 0) throw new RangeError("byteLength < 0");
  if (n > 0x7fffffff) throw new RangeError("byteLength too big");
  return n;
}

function fromArrayBuffer(buffer: ArrayBufferLike, byteOffset?: number, byteLength?: number): string {
  if (arguments.length < 1) throw new TypeError("no argument");
  const limit = bufferLength(buffer);
  if (limit < 0) throw new TypeError("argument: not an ArrayBuffer instance");
  const offset = byteLengthArgument(byteOffset, 0);
  if (limit < offset) throw new RangeError(`invalid byteOffset ${offset}`);
  const length = byteLengthArgument(byteLength, limit - offset);
  if (limit < offset + length) throw new RangeError(`invalid byteLength ${length}`);
  const bytes = new Uint8Array(buffer, offset, length);
  // Validation as XS does it: lead byte patterns and continuation bytes only (no overlong or range checks).
  for (let i = 0; i < length; ) {
    const first = bytes[i];
    let size = 1;
    if (first >= 0x80) {
      if ((first & 0xe0) === 0xc0) size = 2;
      else if ((first & 0xf0) === 0xe0) size = 3;
      else if ((first & 0xf0) === 0xf0) size = 4;
      else throw new TypeError("invalid UTF-8");
      if (i + size > length) throw new TypeError("invalid UTF-8");
      for (let j = 1; j < size; j++) if ((bytes[i + j] & 0xc0) !== 0x80) throw new TypeError("invalid UTF-8");
    }
    i += size;
  }
  return decodeInternal(bytes);
}

/** Decodes bytes already validated, the way XS reads its internal strings (fxUTF8Decode). */
function decodeInternal(bytes: Uint8Array): string {
  const units: number[] = [];
  let text = "";
  for (let i = 0; i < bytes.length; ) {
    const first = bytes[i];
    let code: number;
    if (first < 0x80) {
      code = first;
      i += 1;
    } else if (first < 0xe0) {
      code = ((first & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      i += 2;
    } else if (first < 0xf0) {
      code = ((first & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      i += 3;
    } else {
      code = ((first & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      i += 4;
    }
    if (code > 0x10ffff) code = 0xfffd; // XS would keep an invalid character; JavaScript strings cannot
    if (code > 0xffff) {
      code -= 0x10000;
      units.push(0xd800 | (code >> 10), 0xdc00 | (code & 0x3ff));
    } else units.push(code);
    if (units.length >= 4096) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return text + String.fromCharCode(...units);
}

/** The bytes of XS's internal form of `text`: UTF-8, lone surrogates as three bytes each. */
function encodeInternal(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code & 0x3ff) << 10) + (next & 0x3ff);
        i++;
      }
    }
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
    else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  }
  return Uint8Array.from(out);
}

function fromString(this: unknown, _string: string): ArrayBuffer {
  if (arguments.length < 1) throw new TypeError("no argument");
  const bytes = encodeInternal(`${arguments[0] as string}`);
  // fxConstructArrayBufferResult: `this` is the constructor (ArrayBuffer or a subclass).
  if (typeof this !== "function") throw new TypeError("no constructor");
  const result = Reflect.construct(this, [bytes.length]) as unknown;
  const length = bufferLength(result);
  if (length < 0 || result instanceof SharedArrayBufferOrNever) throw new TypeError("not an ArrayBuffer instance");
  if (length < bytes.length) throw new TypeError("smaller ArrayBuffer instance");
  new Uint8Array(result as ArrayBuffer).set(bytes);
  return result as ArrayBuffer;
}

/** `instanceof` target that never matches when the engine has no SharedArrayBuffer. */
const SharedArrayBufferOrNever: new () => object = typeof SharedArrayBuffer === "function" ? SharedArrayBuffer : class Never {};

/** XS's fxToInteger for Math.irandom's bounds: ToNumber (BigInt and Symbol throw TypeError), then ToInt32. */
function toXsInteger(value: unknown): number {
  return +(value as number) | 0;
}

/**
 * `Math.irandom()`: an integer in [0, 2147483647); `irandom(max)`: [0, max);
 * `irandom(min, max)`: [min, max) (rounded toward `min` when max < min).
 * XS draws from C's rand(); the simulator from Math.random, which the
 * firmware seeds from the host.
 */
function irandom(_min?: number, _max?: number): number {
  let min = 0;
  let max = 2147483647;
  if (arguments.length > 1) {
    min = toXsInteger(arguments[0]);
    max = toXsInteger(arguments[1]);
  } else if (arguments.length > 0) max = toXsInteger(arguments[0]);
  const fraction = Math.random();
  const value = min + fraction * (max - min);
  return (max < min ? Math.ceil(value) : Math.floor(value)) | 0;
}

export function installModdableAdditions(): void {
  defineMethod(String, "fromArrayBuffer", fromArrayBuffer);
  defineMethod(ArrayBuffer, "fromString", fromString);
  defineMethod(Math, "irandom", irandom);
}
