/**
 * JSON encoding of test values that JSON cannot carry (NaN, -0, undefined,
 * functions, blobs, huge strings, lone surrogates, cyclic objects...), so
 * one table of calls can be run in Node (fake network) and, sent through
 * `sim.agent()`, inside XS. Plain ES2022: bundled into the XS test app.
 *
 * An encoded value is a JSON value; objects with a "$" key are tags.
 */
import type { Blob as BlobClass } from "../../../modules/impnet/core/blob";

export type Encoded = null | boolean | number | string | Encoded[] | { $: string; [key: string]: unknown };

const TEST_SYMBOL = Symbol("test");

/** What decoding needs from the engine it runs in. */
export interface DecodeContext {
  Blob: typeof BlobClass;
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

function unitsOf(text: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i));
  return units;
}

/** Text from UTF-16 code units, in pieces (XS has a small argument stack). */
export function textOfUnits(units: readonly number[]): string {
  let out = "";
  for (let i = 0; i < units.length; i += 64) out += String.fromCharCode(...units.slice(i, i + 64));
  return out;
}

/**
 * A double by its bits. Decimal text is not safe between engines: XS parses
 * some decimal strings that lie exactly halfway between two doubles one ULP
 * off (e.g. "439527230582816800" becomes 439527230582816832, where V8 and
 * IEEE round-half-even give 439527230582816768).
 */
function f64(value: number): Encoded {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value, true);
  return { $: "f64", lo: view.getUint32(0, true), hi: view.getUint32(4, true) };
}

/**
 * Encodes a result value (numbers, strings, null/undefined, booleans,
 * arrays and plain objects of those). Blobs are encoded by content.
 */
export function encode(value: unknown, Blob?: typeof BlobClass): Encoded {
  switch (typeof value) {
    case "undefined":
      return { $: "undefined" };
    case "number":
      if (Number.isNaN(value)) return { $: "NaN" };
      if (value === Infinity) return { $: "Infinity" };
      if (value === -Infinity) return { $: "-Infinity" };
      if (value === 0 && 1 / value < 0) return { $: "-0" };
      if (Number.isInteger(value) && Math.abs(value) <= 2 ** 53) return value;
      return f64(value);
    case "string":
      return hasLoneSurrogate(value) ? { $: "units", units: unitsOf(value) } : value;
    case "boolean":
      return value;
    case "bigint":
      return { $: "bigint", value: value.toString() };
    case "function":
      return { $: "function" };
    case "symbol":
      return { $: "symbol" };
    default:
      if (value === null) return null;
      if (Blob !== undefined && value instanceof Blob) {
        const bytes: number[] = [];
        for (let i = 0; i < value.len(); i++) bytes.push(value.get(i));
        return { $: "blob", bytes, pointer: value.tell() };
      }
      if (Array.isArray(value)) return value.map((item) => encode(item, Blob));
      const table: Record<string, Encoded> = {};
      for (const key of Object.keys(value as object)) table[key] = encode((value as Record<string, unknown>)[key], Blob);
      return { $: "table", table };
  }
}

/** Builds the value an encoded argument stands for, in the running engine. */
export function decode(encoded: Encoded, context: DecodeContext): unknown {
  if (encoded === null || typeof encoded !== "object") return encoded;
  if (Array.isArray(encoded)) return encoded.map((item) => decode(item, context));
  const tag = encoded as { $: string; [key: string]: unknown };
  switch (tag.$) {
    case "undefined":
      return undefined;
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
    case "f64": {
      const view = new DataView(new ArrayBuffer(8));
      view.setUint32(0, tag.lo as number, true);
      view.setUint32(4, tag.hi as number, true);
      return view.getFloat64(0, true);
    }
    case "units":
      return textOfUnits(tag.units as number[]);
    case "bigint":
      return BigInt(tag.value as string);
    case "symbol":
      // One symbol for every use: XS makes each new symbol a key in its key table,
      // which is never collected, so a fresh one per call would grow the heap.
      return TEST_SYMBOL;
    case "function":
      return function noop(): void {};
    case "throwing-function":
      return function thrower(): never {
        throw new Error("thrown by a test callback");
      };
    case "string-of": {
      // A long string without a long JSON message: `count` copies of `unit`.
      const unit = tag.unit as string;
      let text = "";
      let piece = unit;
      let count = tag.count as number;
      while (count > 0) {
        if (count & 1) text += piece;
        piece += piece;
        count >>>= 1;
      }
      return text;
    }
    case "blob": {
      if (typeof tag.size === "number") {
        const blob = new context.Blob(tag.size);
        if (typeof tag.fill === "number" && tag.fill !== 0) for (let i = 0; i < tag.size; i++) blob.set(i, tag.fill);
        return blob;
      }
      const bytes = (tag.bytes as number[] | undefined) ?? [];
      const blob = new context.Blob(bytes.length);
      for (let i = 0; i < bytes.length; i++) blob.set(i, bytes[i]);
      if (typeof tag.pointer === "number") blob.seek(tag.pointer);
      return blob;
    }
    case "arraybuffer":
      return new ArrayBuffer(tag.size as number);
    case "uint8array":
      return new Uint8Array(tag.size as number);
    case "cyclic": {
      const table: Record<string, unknown> = { name: "cyclic" };
      table.self = table;
      return table;
    }
    case "throwing-tostring":
      return {
        toString(): string {
          throw new Error("toString refused");
        },
      };
    case "table": {
      const table: Record<string, unknown> = {};
      const source = tag.table as Record<string, Encoded>;
      for (const key of Object.keys(source)) table[key] = decode(source[key], context);
      return table;
    }
    default:
      throw new Error(`codec: unknown tag ${String(tag.$)}`);
  }
}

/** Same value (NaN equals NaN, -0 differs from 0), on encoded values. */
export function sameEncoded(a: Encoded, b: Encoded): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
