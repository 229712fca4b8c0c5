/**
 * String codec between Squirrel byte strings and JavaScript strings.
 *
 * Squirrel strings are byte strings; JavaScript strings are UTF-16. impnet
 * maps between them with **UTF-8 plus "surrogateescape"** (the convention of
 * Python's `surrogateescape` error handler), so that no byte is ever lost:
 *
 * - Decoding (`bytes -> string`): every well-formed UTF-8 sequence becomes
 *   its code point (overlong forms, UTF-8-encoded surrogates U+D800..U+DFFF
 *   and values above U+10FFFF are *not* well-formed). Every byte 0x80..0xFF
 *   that is not part of a well-formed sequence becomes the lone low surrogate
 *   U+DC80..U+DCFF (`0xDC00 + byte`). Bytes below 0x80 are always ASCII.
 * - Encoding (`string -> bytes`): UTF-8. A lone surrogate U+DC80..U+DCFF
 *   encodes back to the single byte 0x80..0xFF it stands for; any other lone
 *   surrogate encodes as EF BF BD (U+FFFD, the replacement character).
 *
 * Hence `bytes -> string -> bytes` is the identity for every byte sequence
 * (a received binary datagram survives `tostring()` then `writestring()`),
 * and `string -> bytes -> string` is the identity for every well-formed
 * string (one without lone surrogates).
 *
 * Runs on XS (Moddable, xsnap): plain ES2022, no TextEncoder/TextDecoder,
 * no allocation proportional to the input except the result itself.
 *
 * XS performance notes (measured with xsnap):
 * - XS stores strings as UTF-8, so `s.charCodeAt(i)` and `s.slice(i, j)` scan
 *   from the start of `s`: a plain `charCodeAt` loop is quadratic. The
 *   encoder therefore walks the string through short slices (see `walk`).
 * - Reading a property of a primitive string (`t.length`, `t.charCodeAt(i)`)
 *   allocates a String wrapper (2 slots) in XS; `charCodeAt.call(t, i)` does
 *   not, so the per-character loops use the `.call` form.
 * - `Function.prototype.apply` pushes every argument on the XS stack (384 to
 *   512 slots on ESP32 targets), so strings are built from pieces of at most
 *   `PIECE + 1` code units and joined (XS `join` is linear).
 *
 * @module
 */

/** Code units per `String.fromCharCode.apply` call (kept small for the XS stack). */
const PIECE = 64;

/** Length of the short slices the encoder reads with `charCodeAt`. */
const ENC_PIECE = 32;

/** Length of the outer slices the encoder cuts `ENC_PIECE` slices from. */
const ENC_OUTER = 2048;

/**
 * Decoder scratch: one piece of UTF-16 code units (+1 for a final surrogate
 * pair). Made on first use, not at module load: Moddable preloads impnet
 * into flash, where typed arrays become read-only.
 */
let decodeScratch: Uint16Array | undefined;

const charCodeAt = String.prototype.charCodeAt;
const slice = String.prototype.slice;

function unitsToString(units: Uint8Array | Uint16Array): string {
  // `apply` accepts any array-like; the cast only satisfies the lib typing.
  return String.fromCharCode.apply(null, units as unknown as number[]);
}

function checkIndex(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`decodeText: ${name} ${String(value)} is not an integer`);
  }
  if (value < min || value > max) {
    throw new RangeError(`decodeText: ${name} ${value} is outside ${min}..${max}`);
  }
  return value;
}

/**
 * Decodes `bytes[start..end)` as UTF-8 with surrogateescape (see the module
 * comment): never throws on content, every byte sequence has a decoding.
 *
 * @param bytes source bytes
 * @param start first byte (default 0)
 * @param end one past the last byte (default `bytes.length`)
 * @throws TypeError / RangeError when `start`/`end` are not integers with
 *   `0 <= start <= end <= bytes.length`
 */
export function decodeText(bytes: Uint8Array, start: number = 0, end: number = bytes.length): string {
  const total = bytes.length;
  checkIndex("end", end, 0, total);
  checkIndex("start", start, 0, end);
  let i = start;
  let out = "";
  let parts: string[] | null = null;
  const scratch = (decodeScratch ??= new Uint16Array(PIECE + 2));
  let n = 0; // code units waiting in scratch
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      if (n === 0) {
        // ASCII fast path: build the piece straight from the source bytes.
        let j = i + 1;
        const lim = end - i > PIECE ? i + PIECE : end;
        while (j < lim && bytes[j] < 0x80) j++;
        if (j === lim) {
          const piece = unitsToString(bytes.subarray(i, j));
          if (out === "") out = piece;
          else if (parts === null) parts = [out, piece];
          else parts.push(piece);
          i = j;
          continue;
        }
        // A short ASCII run followed by a non-ASCII byte: queue it.
        do scratch[n++] = bytes[i++];
        while (i < j);
        continue; // bytes[i] is now >= 0x80 or i === end; n < PIECE
      }
      scratch[n++] = b;
      i++;
    } else {
      let cp = -1;
      let size = 1;
      if (b >= 0xc2) {
        if (b <= 0xdf) {
          if (i + 1 < end) {
            const c1 = bytes[i + 1];
            if ((c1 & 0xc0) === 0x80) {
              cp = ((b & 0x1f) << 6) | (c1 & 0x3f);
              size = 2;
            }
          }
        } else if (b <= 0xef) {
          if (i + 2 < end) {
            const c1 = bytes[i + 1];
            const c2 = bytes[i + 2];
            // E0 needs A0..BF (no overlongs), ED needs 80..9F (no surrogates).
            if (
              c1 >= (b === 0xe0 ? 0xa0 : 0x80) &&
              c1 <= (b === 0xed ? 0x9f : 0xbf) &&
              (c2 & 0xc0) === 0x80
            ) {
              cp = ((b & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
              size = 3;
            }
          }
        } else if (b <= 0xf4) {
          if (i + 3 < end) {
            const c1 = bytes[i + 1];
            const c2 = bytes[i + 2];
            const c3 = bytes[i + 3];
            // F0 needs 90..BF (no overlongs), F4 needs 80..8F (<= U+10FFFF).
            if (
              c1 >= (b === 0xf0 ? 0x90 : 0x80) &&
              c1 <= (b === 0xf4 ? 0x8f : 0xbf) &&
              (c2 & 0xc0) === 0x80 &&
              (c3 & 0xc0) === 0x80
            ) {
              cp = ((b & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
              size = 4;
            }
          }
        }
      }
      if (cp < 0) {
        scratch[n++] = 0xdc00 + b; // surrogateescape: 0x80..0xFF -> U+DC80..U+DCFF
      } else if (cp < 0x10000) {
        scratch[n++] = cp;
      } else {
        cp -= 0x10000;
        scratch[n++] = 0xd800 + (cp >> 10);
        scratch[n++] = 0xdc00 + (cp & 0x3ff);
      }
      i += size;
    }
    if (n >= PIECE) {
      // Never splits a surrogate pair: pairs are queued together.
      const piece = unitsToString(scratch.subarray(0, n));
      n = 0;
      if (out === "") out = piece;
      else if (parts === null) parts = [out, piece];
      else parts.push(piece);
    }
  }
  if (n > 0) {
    const piece = unitsToString(scratch.subarray(0, n));
    if (out === "") out = piece;
    else if (parts === null) parts = [out, piece];
    else parts.push(piece);
  }
  return parts === null ? out : parts.join("");
}

/** Encoded length of `t[0..m)`; `t` never ends inside a surrogate pair before `m`. */
function pieceLength(t: string, m: number): number {
  let count = 0;
  for (let i = 0; i < m; i++) {
    const c = charCodeAt.call(t, i);
    if (c < 0x80) count += 1;
    else if (c < 0x800) count += 2;
    else if (c < 0xd800 || c > 0xdfff) count += 3;
    else if (c <= 0xdbff && i + 1 < m && (charCodeAt.call(t, i + 1) & 0xfc00) === 0xdc00) {
      count += 4;
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) count += 1; // escaped byte
    else count += 3; // other lone surrogate -> U+FFFD
  }
  return count;
}

/** Writes the encoding of `t[0..m)` at `target[p]`; returns the new position. */
function pieceWrite(t: string, m: number, target: Uint8Array, p: number): number {
  for (let i = 0; i < m; i++) {
    const c = charCodeAt.call(t, i);
    if (c < 0x80) {
      target[p++] = c;
    } else if (c < 0x800) {
      target[p++] = 0xc0 | (c >> 6);
      target[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      target[p++] = 0xe0 | (c >> 12);
      target[p++] = 0x80 | ((c >> 6) & 0x3f);
      target[p++] = 0x80 | (c & 0x3f);
    } else {
      let d: number;
      if (c <= 0xdbff && i + 1 < m && ((d = charCodeAt.call(t, i + 1)) & 0xfc00) === 0xdc00) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        target[p++] = 0xf0 | (cp >> 18);
        target[p++] = 0x80 | ((cp >> 12) & 0x3f);
        target[p++] = 0x80 | ((cp >> 6) & 0x3f);
        target[p++] = 0x80 | (cp & 0x3f);
        i++;
      } else if (c >= 0xdc80 && c <= 0xdcff) {
        target[p++] = c - 0xdc00; // escaped byte
      } else {
        target[p++] = 0xef; // other lone surrogate -> U+FFFD
        target[p++] = 0xbf;
        target[p++] = 0xbd;
      }
    }
  }
  return p;
}

function isHigh(c: number): boolean {
  return (c & 0xfc00) === 0xd800;
}

/**
 * Visits `s` in slices of at most `ENC_PIECE` code units, taken from slices
 * of at most `ENC_OUTER` code units, so that every `charCodeAt`/`slice` on XS
 * scans a bounded prefix (linear overall instead of quadratic). A slice never
 * ends between the two halves of a surrogate pair unless `s` itself ends
 * there. With `target === null` returns the encoded length, otherwise writes
 * at `target[p]` and returns the position after the last byte written.
 */
function walk(s: string, target: Uint8Array | null, p: number): number {
  const len = s.length;
  if (len <= ENC_PIECE) return target === null ? pieceLength(s, len) : pieceWrite(s, len, target, p);
  for (let outerStart = 0; outerStart < len; ) {
    let olen = len - outerStart;
    if (olen > ENC_OUTER) olen = ENC_OUTER;
    const o = olen === len ? s : slice.call(s, outerStart, outerStart + olen);
    if (outerStart + olen < len && isHigh(charCodeAt.call(o, olen - 1))) olen--;
    for (let k = 0; k < olen; ) {
      let m = olen - k;
      if (m > ENC_PIECE) m = ENC_PIECE;
      const t = slice.call(o, k, k + m);
      if (k + m < olen && isHigh(charCodeAt.call(t, m - 1))) m--;
      if (target === null) p += pieceLength(t, m);
      else p = pieceWrite(t, m, target, p);
      k += m;
    }
    outerStart += olen;
  }
  return p;
}

/**
 * Number of bytes {@link encodeText} produces for `s` (UTF-8; lone
 * U+DC80..U+DCFF count 1, other lone surrogates 3).
 */
export function encodedLength(s: string): number {
  if (typeof s !== "string") throw new TypeError(`encodedLength: ${typeof s} is not a string`);
  return walk(s, null, 0);
}

/**
 * Encodes `s` (UTF-8 with surrogateescape, see the module comment) into
 * `target` starting at `offset`, without allocating.
 *
 * @returns the number of bytes written (= `encodedLength(s)`)
 * @throws RangeError when `offset` is not an index into `target` or the
 *   encoding does not fit in `target.length - offset` bytes (nothing is
 *   written then)
 */
export function encodeTextInto(s: string, target: Uint8Array, offset: number = 0): number {
  if (typeof s !== "string") throw new TypeError(`encodeTextInto: ${typeof s} is not a string`);
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset > target.length) {
    throw new RangeError(`encodeTextInto: offset ${String(offset)} is outside 0..${target.length}`);
  }
  const room = target.length - offset;
  // Each UTF-16 code unit encodes to at most 3 bytes: measure only when it could overflow.
  if (room < s.length * 3) {
    const need = walk(s, null, 0);
    if (need > room) {
      throw new RangeError(`encodeTextInto: needs ${need} bytes, only ${room} left after offset ${offset}`);
    }
  }
  return walk(s, target, offset) - offset;
}

/**
 * Unchecked variant of {@link encodeTextInto} for callers that already made
 * room for `encodedLength(s)` bytes (the Blob). Returns the end position.
 * @internal
 */
export function encodeTextAt(s: string, target: Uint8Array, offset: number): number {
  return walk(s, target, offset);
}

/** Encodes `s` into a new `Uint8Array` (UTF-8 with surrogateescape). */
export function encodeText(s: string): Uint8Array {
  if (typeof s !== "string") throw new TypeError(`encodeText: ${typeof s} is not a string`);
  const out = new Uint8Array(walk(s, null, 0));
  walk(s, out, 0);
  return out;
}
