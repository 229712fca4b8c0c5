/**
 * The Squirrel / impOS `blob` class: a growable byte buffer with one
 * read/write pointer, "treated like a file". Multi-byte values are
 * little-endian. Rules: `impos-net-spec.md` §8.
 *
 * Porting notes (Squirrel -> impnet):
 * - `blob(n)` -> `new Blob(n)`; method names are the Squirrel ones
 *   (`readn`, `writen`, `readstring`, ...).
 * - Type codes: Squirrel's character literals `'i'` are integers (105); both
 *   the integer and the one-character string `"i"` are accepted.
 * - `b[i]` -> `b.get(i)`, `b[i] = v` -> `b.set(i, v)` (JavaScript has no
 *   `_get`/`_set` metamethods).
 * - `foreach (byte in b)` -> `for (const byte of b)`.
 * - `typeof b == "blob"` -> `b instanceof Blob`.
 * - `eos()` returns `1` or `null`, never `false`, as on the imp.
 * - Strings are byte strings on the imp; here they are UTF-8 with
 *   "surrogateescape" (see `text.ts`), so binary data survives
 *   `tostring()` / `readstring()` followed by `writestring()`.
 *
 * impnet extensions: `new Blob(arrayBuffer)` (wraps without copying),
 * `bytes()` (a view without copying), `Blob.from(bytes)` (copies),
 * `clone()`, and `writeblob()` returning the byte count.
 *
 * Behaviour chosen where impOS is silent (marked [unconfirmed] in the spec)
 * is listed in {@link blobCompat} and on each method.
 *
 * @module
 */

import { decodeText, encodeTextAt, encodedLength } from "./text";

/** Largest blob impOS allows: 512 KB. */
export const BLOB_MAX_SIZE = 524288;

/**
 * A `readn`/`writen` type code: the character code (`'i'` in Squirrel is
 * 105) or the one-character string.
 *
 * | code | int | bytes | value |
 * |---|---|---|---|
 * | `c` | 99 | 1 | signed 8-bit |
 * | `b` | 98 | 1 | unsigned 8-bit |
 * | `s` | 115 | 2 | signed 16-bit |
 * | `w` | 119 | 2 | unsigned 16-bit |
 * | `i` | 105 | 4 | signed 32-bit |
 * | `l` | 108 | 4 | signed 32-bit (Squirrel native int on a 32-bit imp; impnet choice) |
 * | `f` | 102 | 4 | 32-bit float |
 * | `d` | 100 | 8 | 64-bit float, narrowed to 32-bit precision on read, widened from it on write |
 */
export type BlobTypeCode = "c" | "b" | "s" | "w" | "i" | "l" | "f" | "d" | number;

/** Integer values of the type codes, for code that prefers names. */
export const BLOB_TYPE = Object.freeze({
  c: 99,
  b: 98,
  s: 115,
  w: 119,
  i: 105,
  l: 108,
  f: 102,
  d: 100,
});

/** `seek()` origins: the character code or the one-character string. */
export type BlobSeekOrigin = "b" | "c" | "e" | number;

/**
 * Behaviours the impOS documentation leaves open ([unconfirmed] in the
 * spec), with impnet's defaults. They are module-wide switches, read at
 * call time and only on the affected edge paths, so they cost nothing on the
 * hot path. Set them once at start-up (tests restore what they change).
 */
export const blobCompat = {
  /**
   * `readstring(n)` with the pointer at the end: `false` returns `""`
   * (default), `true` throws like `readblob()`.
   */
  readstringThrowsAtEnd: false,
  /**
   * `readblob(n)` that would read no bytes (pointer at the end, or `n` = 0):
   * `true` throws "no data left to read" like stock Squirrel (default),
   * `false` returns an empty blob.
   */
  readblobThrowsWhenEmpty: true,
  /**
   * Accept type code `'l'` (108) as a 4-byte signed integer, like stock
   * Squirrel's native integer on a 32-bit imp (default `true`). `false`
   * rejects it as an invalid type code.
   */
  typeL: true,
};

/**
 * Float scratch shared by readn/writen: no per-call allocation. Rounding to
 * float32 goes through a Float32Array rather than `Math.fround`, because XS
 * (Moddable and xsnap alike) returns integer-kind arguments from
 * `Math.fround` unchanged: `Math.fround(2147483647)` gives 2147483647
 * instead of 2147483648. The scratch f32 overlaps the first half of
 * the f64; each use reads the value out before the other is written.
 */
interface FloatScratch {
  bytes: Uint8Array;
  f32: Float32Array;
  f64: Float64Array;
}
let scratch: FloatScratch | undefined;
/**
 * The scratch arrays, made on first use rather than at module load: Moddable
 * preloads impnet into flash, where typed arrays become read-only.
 */
function floatScratch(): FloatScratch {
  if (scratch === undefined) {
    const buffer = new ArrayBuffer(8);
    scratch = { bytes: new Uint8Array(buffer), f32: new Float32Array(buffer, 0, 1), f64: new Float64Array(buffer) };
  }
  return scratch;
}
// The scratch arrays are read and written as little-endian bytes, the blob's
// order, with no byte swap: typed arrays use the host's order, and XS is
// little-endian on every target impnet has (docs/compatibility.md §3,
// "Byte order"). A check at load time would run on the build machine when
// Moddable preloads impnet, not on the device, so there is none.

function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value.length > 20 ? `'${value.slice(0, 17)}...'` : `'${value}'`;
    case "number":
    case "boolean":
    case "bigint":
    case "undefined":
      return String(value);
    default:
      if (value === null) return "null";
      if (value instanceof Blob) return "a blob";
      return typeof value === "object" ? "an object" : `a ${typeof value}`;
  }
}

/**
 * Resolves a type code / origin given as a number or a one-character string;
 * -1 if neither. Compares strings instead of reading `value.length` /
 * `value.charCodeAt(0)`, which allocate a String wrapper in XS.
 */
function codeOf(value: unknown): number {
  if (typeof value === "number") return value;
  switch (value) {
    case "b":
      return 98;
    case "i":
      return 105;
    case "w":
      return 119;
    case "c":
      return 99;
    case "s":
      return 115;
    case "f":
      return 102;
    case "d":
      return 100;
    case "l":
      return 108;
    case "e":
      return 101;
    default:
      return -1;
  }
}

function badTypeCode(method: string, type: unknown): Error {
  const text = `${method}: type code ${describe(type)} is not one of c b s w i${blobCompat.typeL ? " l" : ""} f d`;
  return typeof type === "number" || typeof type === "string" ? new RangeError(text) : new TypeError(text);
}

/** Width in bytes of a type code, or 0 when invalid. */
function widthOf(code: number): number {
  switch (code) {
    case 98: // b
    case 99: // c
      return 1;
    case 115: // s
    case 119: // w
      return 2;
    case 105: // i
    case 102: // f
      return 4;
    case 108: // l
      return blobCompat.typeL ? 4 : 0;
    case 100: // d
      return 8;
    default:
      return 0;
  }
}

function ioError(type: unknown, width: number, left: number): never {
  throw new Error(`readn: io error, type ${describe(type)} needs ${width} byte${width === 1 ? "" : "s"} but ${left} remain`);
}

/** Validates a byte count / length argument: integer, >= 0. */
function checkCount(method: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${method}: ${name} ${describe(value)} is not an integer`);
  }
  if (value < 0) throw new RangeError(`${method}: ${name} ${value} is negative`);
  return value + 0; // -0 is an integer >= 0 to JavaScript; Squirrel integers have no -0
}

/** Squirrel / impOS `blob`. See the module comment for porting notes. */
export class Blob {
  /**
   * Storage; its length is the capacity (allocation), not the data length.
   * Null for a wrapped buffer nobody has looked into yet: a received datagram
   * that is only echoed never needs a view (see `_view()`). `udpsocket.send()`
   * reads `_bytes`, `_wrapped` and `_len` directly (hot path).
   */
  private _bytes: Uint8Array | null;
  /** The ArrayBuffer this blob wraps, until the blob reallocates. */
  private _wrapped: ArrayBuffer | null;
  /** Data length: `len()`. */
  private _len: number;
  /** Read/write pointer: `tell()`. */
  private _pos: number;

  /**
   * Squirrel `blob([size])`: `size` zero bytes with the pointer at 0; no
   * argument (or `undefined`) makes an empty blob.
   *
   * impnet extension: `new Blob(arrayBuffer)` wraps the buffer **without
   * copying** (len = `byteLength`, pointer 0). The blob and the buffer share
   * memory until the blob has to grow past the buffer's size or is
   * `resize()`d, after which the blob owns a new buffer.
   *
   * @param received internal: the byteLength of a received datagram `size`
   *   (skips the checks on the receive path)
   * @throws TypeError when `size` is not an integer or an ArrayBuffer;
   *   RangeError when it is negative or above 512 KB ({@link BLOB_MAX_SIZE})
   */
  constructor(size?: number | ArrayBuffer, received?: number) {
    // The receive path passes the datagram's length: no checks needed (a UDP payload fits).
    if (received !== undefined) {
      this._bytes = null;
      this._wrapped = size as ArrayBuffer;
      this._len = received;
      this._pos = 0;
      return;
    }
    if (size instanceof ArrayBuffer) {
      const length = size.byteLength;
      if (length > BLOB_MAX_SIZE) {
        throw new RangeError(`blob: buffer of ${length} bytes is above the maximum of ${BLOB_MAX_SIZE} bytes`);
      }
      this._bytes = null;
      this._wrapped = size;
      this._len = length;
      this._pos = 0;
      return;
    }
    let bytes: Uint8Array;
    if (size === undefined) {
      bytes = new Uint8Array(0);
    } else if (typeof size === "number") {
      if (!Number.isInteger(size)) throw new TypeError(`blob: size ${describe(size)} is not an integer`);
      if (size < 0) throw new RangeError(`blob: size ${size} is negative (cannot create blob with negative size)`);
      if (size > BLOB_MAX_SIZE) {
        throw new RangeError(`blob: size ${size} is above the maximum of ${BLOB_MAX_SIZE} bytes`);
      }
      bytes = new Uint8Array(size);
    } else {
      throw new TypeError(`blob: size must be an integer or an ArrayBuffer, not ${describe(size)}`);
    }
    this._bytes = bytes;
    this._wrapped = null;
    this._len = bytes.length;
    this._pos = 0;
  }

  /** The storage as a Uint8Array, made on first use for a wrapped buffer. */
  private _view(): Uint8Array {
    let u = this._bytes;
    if (u === null) {
      u = new Uint8Array(this._wrapped as ArrayBuffer);
      this._bytes = u;
    }
    return u;
  }


  /**
   * impnet extension: a new blob holding a copy of `bytes` (pointer 0).
   * @throws RangeError above 512 KB
   */
  static from(bytes: Uint8Array): Blob {
    if (!(bytes instanceof Uint8Array)) throw new TypeError(`Blob.from: ${describe(bytes)} is not a Uint8Array`);
    const blob = new Blob(bytes.length);
    blob._view().set(bytes);
    return blob;
  }

  /** Makes the capacity at least `need` bytes (amortised doubling, capped at 512 KB). */
  private _grow(need: number, method: string): void {
    if (need > BLOB_MAX_SIZE) {
      throw new RangeError(`${method}: blob would grow to ${need} bytes, above the maximum of ${BLOB_MAX_SIZE}`);
    }
    const old = this._view();
    let capacity = old.length * 2;
    if (capacity < need) capacity = need;
    if (capacity < 16) capacity = 16;
    if (capacity > BLOB_MAX_SIZE) capacity = BLOB_MAX_SIZE;
    const bytes = new Uint8Array(capacity);
    bytes.set(old.length === this._len ? old : old.subarray(0, this._len));
    this._bytes = bytes;
    this._wrapped = null;
  }

  /**
   * Squirrel `readn(type)`: reads one value of `type` at the pointer and
   * advances the pointer by its size. `'c'` and `'s'` are sign-extended,
   * `'f'` gives a 32-bit float's value, `'d'` reads a 64-bit float and
   * narrows it to 32-bit precision (Squirrel floats are 32-bit on the imp).
   *
   * @throws RangeError / TypeError for an invalid type code; Error ("io
   *   error") when fewer bytes remain than the type needs (pointer unchanged)
   */
  readn(type: BlobTypeCode): number {
    // One switch, no helper calls on the success path (XS calls are not free).
    const code = typeof type === "number" ? type : codeOf(type);
    const u = this._view();
    const p = this._pos;
    const left = this._len - p;
    switch (code) {
      case 98: // b
        if (left < 1) break;
        this._pos = p + 1;
        return u[p];
      case 105: // i
        if (left < 4) break;
        this._pos = p + 4;
        return u[p] | (u[p + 1] << 8) | (u[p + 2] << 16) | (u[p + 3] << 24);
      case 119: // w
        if (left < 2) break;
        this._pos = p + 2;
        return u[p] | (u[p + 1] << 8);
      case 99: // c
        if (left < 1) break;
        this._pos = p + 1;
        return (u[p] << 24) >> 24;
      case 115: // s
        if (left < 2) break;
        this._pos = p + 2;
        return ((u[p] | (u[p + 1] << 8)) << 16) >> 16;
      case 102: { // f
        if (left < 4) break;
        this._pos = p + 4;
        const s = floatScratch();
        s.bytes[0] = u[p];
        s.bytes[1] = u[p + 1];
        s.bytes[2] = u[p + 2];
        s.bytes[3] = u[p + 3];
        return s.f32[0];
      }
      case 100: { // d
        if (left < 8) break;
        this._pos = p + 8;
        const s = floatScratch();
        s.bytes[0] = u[p];
        s.bytes[1] = u[p + 1];
        s.bytes[2] = u[p + 2];
        s.bytes[3] = u[p + 3];
        s.bytes[4] = u[p + 4];
        s.bytes[5] = u[p + 5];
        s.bytes[6] = u[p + 6];
        s.bytes[7] = u[p + 7];
        // Narrow through the float32 scratch, not Math.fround (see floatScratch).
        s.f32[0] = s.f64[0];
        return s.f32[0];
      }
      case 108: // l
        if (left < 4 || !blobCompat.typeL) break;
        this._pos = p + 4;
        return u[p] | (u[p + 1] << 8) | (u[p + 2] << 16) | (u[p + 3] << 24);
    }
    const width = widthOf(code);
    if (width === 0) throw badTypeCode("readn", type);
    return ioError(type, width, left);
  }

  /**
   * Squirrel `writen(value, type)`: writes `value` as `type` at the pointer,
   * overwriting and growing the blob as needed, then advances the pointer.
   *
   * - Integer types take the value truncated toward zero and wrapped to 32
   *   bits (ECMAScript ToInt32; NaN and ±Infinity give 0), then its low
   *   1, 2 or 4 bytes.
   * - `'f'` stores the value rounded to 32-bit float; `'d'` stores the
   *   64-bit widening of that 32-bit value (no extra precision).
   * - A value that is not a number (string, null, object, blob, **boolean**:
   *   Squirrel bools are not numbers) writes that many **zero** bytes, as
   *   impOS does from version 36.
   *
   * @throws RangeError / TypeError for an invalid type code (checked first);
   *   RangeError when the blob would grow above 512 KB (nothing written)
   */
  writen(value: unknown, type: BlobTypeCode): void {
    const code = typeof type === "number" ? type : codeOf(type);
    let width: number;
    switch (code) {
      case 98: // b
      case 99: // c
        width = 1;
        break;
      case 105: // i
      case 102: // f
        width = 4;
        break;
      case 119: // w
      case 115: // s
        width = 2;
        break;
      case 100: // d
        width = 8;
        break;
      case 108: // l
        if (blobCompat.typeL) {
          width = 4;
          break;
        }
        throw badTypeCode("writen", type);
      default:
        throw badTypeCode("writen", type);
    }
    const p = this._pos;
    const end = p + width;
    if (end > this._view().length) this._grow(end, "writen");
    const u = this._view();
    if (typeof value !== "number") {
      for (let k = p; k < end; k++) u[k] = 0;
    } else if (code === 102) {
      const s = floatScratch();
      s.f32[0] = value;
      u[p] = s.bytes[0];
      u[p + 1] = s.bytes[1];
      u[p + 2] = s.bytes[2];
      u[p + 3] = s.bytes[3];
    } else if (code === 100) {
      const s = floatScratch();
      s.f32[0] = value; // round to float32 (not Math.fround, see scratchF32)
      s.f64[0] = s.f32[0];
      u[p] = s.bytes[0];
      u[p + 1] = s.bytes[1];
      u[p + 2] = s.bytes[2];
      u[p + 3] = s.bytes[3];
      u[p + 4] = s.bytes[4];
      u[p + 5] = s.bytes[5];
      u[p + 6] = s.bytes[6];
      u[p + 7] = s.bytes[7];
    } else {
      const v = value | 0; // ToInt32; the Uint8Array stores keep the low 8 bits
      u[p] = v;
      if (width > 1) {
        u[p + 1] = v >> 8;
        if (width > 2) {
          u[p + 2] = v >> 16;
          u[p + 3] = v >> 24;
        }
      }
    }
    if (end > this._len) this._len = end;
    this._pos = end;
  }

  /**
   * impOS `readstring(n)`: reads `min(n, bytes remaining)` bytes at the
   * pointer as a string (UTF-8 with surrogateescape, see `text.ts`) and
   * advances the pointer. With no bytes left it returns `""` (impnet choice;
   * see {@link blobCompat}.readstringThrowsAtEnd).
   *
   * Not reproduced: impOS device strings longer than 65,535 bytes behave as
   * if their length were taken modulo 65,536 (a documented impOS bug).
   *
   * @throws TypeError / RangeError when `n` is not an integer >= 0
   */
  readstring(n: number): string {
    n = checkCount("readstring", "length", n);
    const p = this._pos;
    const left = this._len - p;
    if (left === 0 && blobCompat.readstringThrowsAtEnd) throw new Error("readstring: no data left to read");
    const end = n < left ? p + n : this._len;
    this._pos = end;
    return decodeText(this._view(), p, end);
  }

  /**
   * impOS `writestring(s)`: writes the bytes of `s` (UTF-8 with
   * surrogateescape) at the pointer, with no terminator and no length
   * prefix, overwriting and growing as needed, then advances the pointer.
   *
   * @throws TypeError when `s` is not a string; RangeError above 512 KB
   */
  writestring(s: string): void {
    if (typeof s !== "string") throw new TypeError(`writestring: ${describe(s)} is not a string`);
    const p = this._pos;
    let u = this._view();
    let end: number;
    if (u.length - p >= s.length * 3) {
      // Room for the worst case (3 bytes per UTF-16 unit): one pass.
      end = encodeTextAt(s, u, p);
    } else {
      // Measure first so that nothing is written when growth fails.
      end = p + encodedLength(s);
      if (end > u.length) {
        this._grow(end, "writestring");
        u = this._view();
      }
      encodeTextAt(s, u, p);
    }
    if (end > this._len) this._len = end;
    this._pos = end;
  }

  /**
   * Squirrel `readblob(n)`: a new blob (pointer 0) holding a copy of the next
   * `min(n, bytes remaining)` bytes; advances the pointer.
   *
   * Like stock Squirrel, a read that would return no bytes (pointer at the
   * end, or `n` = 0) throws "no data left to read" (see
   * {@link blobCompat}.readblobThrowsWhenEmpty).
   *
   * @throws TypeError / RangeError when `n` is not an integer >= 0
   */
  readblob(n: number): Blob {
    n = checkCount("readblob", "length", n);
    const p = this._pos;
    const left = this._len - p;
    const count = n < left ? n : left;
    if (count === 0 && blobCompat.readblobThrowsWhenEmpty) {
      throw new Error(`readblob: no data left to read (pointer ${p}, len ${this._len}, asked for ${n})`);
    }
    const blob = new Blob(count);
    blob._view().set(this._view().subarray(p, p + count));
    this._pos = p + count;
    return blob;
  }

  /**
   * Squirrel `writeblob(b)`: writes **all** of `b`'s bytes, whatever `b`'s
   * own pointer, at this blob's pointer, overwriting (never inserting) and
   * growing as needed, then advances the pointer. `b` may be this blob.
   *
   * @returns the number of bytes written (stock Squirrel; impOS documents no
   *   return value)
   * @throws TypeError when `b` is not a Blob; RangeError above 512 KB
   */
  writeblob(b: Blob): number {
    if (!(b instanceof Blob)) throw new TypeError(`writeblob: ${describe(b)} is not a blob`);
    const n = b._len;
    const p = this._pos;
    const end = p + n;
    if (end > this._view().length) this._grow(end, "writeblob");
    if (b === this) {
      this._view().copyWithin(p, 0, n); // memmove semantics, overlap-safe
    } else if (n > 0) {
      const src = b._view();
      this._view().set(src.length === n ? src : src.subarray(0, n), p);
    }
    if (end > this._len) this._len = end;
    this._pos = end;
    return n;
  }

  /**
   * Squirrel `seek(offset[, origin])`: moves the pointer to `offset` from
   * the beginning (`'b'`, 98, the default), the current position (`'c'`,
   * 99) or the end (`'e'`, 101).
   *
   * @returns 0, or -1 with the pointer unchanged when the target is outside
   *   0..len()
   * @throws TypeError when `offset` is not an integer; RangeError /
   *   TypeError for an invalid origin ("invalid origin")
   */
  seek(offset: number, origin: BlobSeekOrigin = 98): 0 | -1 {
    if (typeof offset !== "number" || !Number.isInteger(offset)) {
      throw new TypeError(`seek: offset ${describe(offset)} is not an integer`);
    }
    let base: number;
    switch (codeOf(origin)) {
      case 98:
        base = 0;
        break;
      case 99:
        base = this._pos;
        break;
      case 101:
        base = this._len;
        break;
      default: {
        const text = `seek: invalid origin ${describe(origin)}: not 'b', 'c' or 'e'`;
        throw typeof origin === "number" || typeof origin === "string" ? new RangeError(text) : new TypeError(text);
      }
    }
    const target = base + offset;
    if (target < 0 || target > this._len) return -1;
    this._pos = target;
    return 0;
  }

  /** Squirrel `tell()`: the pointer position. */
  tell(): number {
    return this._pos;
  }

  /** Squirrel `len()`: the data length in bytes (not the allocated capacity). */
  len(): number {
    return this._len;
  }

  /** Squirrel `eos()`: `1` when the pointer is at the end, otherwise `null` (not `false`). */
  eos(): 1 | null {
    return this._pos === this._len ? 1 : null;
  }

  /**
   * Squirrel `resize(n)`: changes the allocation to `n` bytes. Below len()
   * the data is cut to `n` bytes and the pointer clamped to `n`; above it,
   * len() stays the same (the extra room is capacity, not data). The blob
   * can still grow past `n` later. A wrapped ArrayBuffer is copied (the blob
   * stops sharing it) unless `n` equals the current capacity.
   *
   * @throws TypeError / RangeError unless `n` is an integer in 0..512 KB
   */
  resize(n: number): void {
    n = checkCount("resize", "size", n);
    if (n > BLOB_MAX_SIZE) throw new RangeError(`resize: size ${n} is above the maximum of ${BLOB_MAX_SIZE} bytes`);
    const old = this._view();
    if (n === old.length) return;
    const keep = n < this._len ? n : this._len;
    const bytes = new Uint8Array(n);
    if (keep > 0) bytes.set(keep === old.length ? old : old.subarray(0, keep));
    this._bytes = bytes;
    this._wrapped = null;
    this._len = keep;
    if (this._pos > keep) this._pos = keep;
  }

  /**
   * Squirrel `swap2()`: swaps the two bytes of every full 2-byte group of the
   * whole blob; a trailing odd byte is untouched; the pointer is unchanged.
   */
  swap2(): void {
    const u = this._view();
    const end = this._len - 1;
    for (let k = 0; k < end; k += 2) {
      const t = u[k];
      u[k] = u[k + 1];
      u[k + 1] = t;
    }
  }

  /**
   * Squirrel `swap4()`: reverses every full 4-byte group of the whole blob;
   * 1 to 3 trailing bytes are untouched; the pointer is unchanged.
   */
  swap4(): void {
    const u = this._view();
    const end = this._len - 3;
    for (let k = 0; k < end; k += 4) {
      const t0 = u[k];
      const t1 = u[k + 1];
      u[k] = u[k + 3];
      u[k + 1] = u[k + 2];
      u[k + 2] = t1;
      u[k + 3] = t0;
    }
  }

  /**
   * impOS `tostring()`: **all** the bytes, whatever the pointer, as a string
   * (UTF-8 with surrogateescape). The impOS 65,535-byte string bug is not
   * reproduced.
   */
  tostring(): string {
    return decodeText(this._view(), 0, this._len);
  }

  /** Squirrel `flush()`: does nothing, returns 1 (stock Squirrel; impOS does not document it). */
  flush(): 1 {
    return 1;
  }

  /**
   * Squirrel `b[i]` (`_get`): byte `i` as an integer 0..255. Never moves the
   * pointer.
   * @throws TypeError when `i` is not a number; RangeError "index out of
   *   range" unless `i` is an integer with 0 <= i < len()
   */
  get(i: number): number {
    if (typeof i !== "number") throw new TypeError(`get: index ${describe(i)} is not a number`);
    if (!(i >= 0 && i < this._len) || !Number.isInteger(i)) {
      throw new RangeError(`get: index ${i} out of range (len ${this._len})`);
    }
    return this._view()[i];
  }

  /**
   * Squirrel `b[i] = v` (`_set`): stores `v & 0xFF` (a float is truncated
   * toward zero first). Never moves the pointer, never grows the blob.
   * @throws TypeError when `i` or `v` is not a number (a one-character string
   *   such as `x.tochar()` is rejected); RangeError "index out of range"
   *   unless `i` is an integer with 0 <= i < len()
   */
  set(i: number, v: number): void {
    if (typeof i !== "number") throw new TypeError(`set: index ${describe(i)} is not a number`);
    if (!(i >= 0 && i < this._len) || !Number.isInteger(i)) {
      throw new RangeError(`set: index ${i} out of range (len ${this._len})`);
    }
    if (typeof v !== "number") throw new TypeError(`set: value ${describe(v)} is not a number`);
    this._view()[i] = v | 0; // the Uint8Array store keeps v & 0xFF
  }

  /**
   * Squirrel `foreach (byte in b)`: yields the bytes 0..len()-1 as integers.
   * Does not move the pointer; reflects writes made during the iteration.
   */
  *[Symbol.iterator](): IterableIterator<number> {
    const u = this._view();
    for (let i = 0; i < this._len; i++) yield u[i];
  }

  /** Squirrel `clone b`: a copy of all the bytes in a new blob whose pointer is 0. */
  clone(): Blob {
    const blob = new Blob(this._len);
    if (this._len > 0) blob._view().set(this._view().subarray(0, this._len));
    return blob;
  }

  /**
   * impnet extension for the network layer: the blob's `len()` bytes as a
   * view **without copying** (the internal array itself when it is exactly
   * len() long, otherwise a subarray of it). The view shares memory with the
   * blob until the blob reallocates (grows past its capacity or is
   * `resize()`d); hand it to a send at once rather than keeping it.
   */
  bytes(): Uint8Array {
    const u = this._view();
    return u.length === this._len ? u : u.subarray(0, this._len);
  }

  /**
   * JavaScript string conversion (`"x" + b`, template literals): a short
   * description, `"(blob : N bytes)"`, never the content (use `tostring()`
   * for that, as on the imp).
   */
  toString(): string {
    return `(blob : ${this._len} bytes)`;
  }
}
