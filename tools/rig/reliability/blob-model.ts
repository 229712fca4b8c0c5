/**
 * A deliberately simple reference model of the Squirrel/impOS blob
 * (docs/impos-api.md §8 and docs/compatibility.md §4), written from the
 * spec, not from impnet's code: a plain array of byte values, a length and a
 * pointer; numbers through DataView; its own UTF-8 + surrogateescape codec.
 * It predicts each operation's result (or the class of the error it throws)
 * and the state afterwards. Plus the fast-check arbitraries of operation
 * sequences. Node only.
 */
import fc from "fast-check";
import { decode, encode, type Encoded } from "./codec";
import { digest, stateOf, stringResult, type Create, type Op, type Outcome, type Sequence, type SequenceResult, type StepResult } from "./blob-ops";

const MAX = 524288;

class ModelError extends Error {
  constructor(readonly kind: "TypeError" | "RangeError" | "Error") {
    super(kind);
  }
}
const typeError = (): never => {
  throw new ModelError("TypeError");
};
const rangeError = (): never => {
  throw new ModelError("RangeError");
};
const plainError = (): never => {
  throw new ModelError("Error");
};

/** Stand-in for "a blob" among decoded arguments of the model. */
class ModelBlobRef {
  readonly bytes: Uint8Array;
  constructor(bytes: ArrayLike<number>) {
    this.bytes = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  }
}

/** Type code → width, or 0. Codes are numbers, or the one-character strings. */
function codeOf(type: unknown): number {
  if (typeof type === "number") return type;
  if (typeof type === "string" && type.length === 1 && "bcswilfde".includes(type)) return type.charCodeAt(0);
  return -1;
}
function widthOf(code: number): number {
  switch (code) {
    case 98: // b
    case 99: // c
      return 1;
    case 115: // s
    case 119: // w
      return 2;
    case 105: // i
    case 108: // l (impnet: 4-byte signed)
    case 102: // f
      return 4;
    case 100: // d
      return 8;
    default:
      return 0;
  }
}
function badCode(type: unknown): never {
  return typeof type === "number" || typeof type === "string" ? rangeError() : typeError();
}
function count(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) typeError();
  if ((value as number) < 0) rangeError();
  return value as number;
}

/** UTF-8 with surrogateescape, from the Unicode well-formedness table (Table 3-7). */
export function modelDecode(bytes: readonly number[]): string {
  const units: number[] = [];
  let i = 0;
  const n = bytes.length;
  const inRange = (k: number, lo: number, hi: number): boolean => k < n && bytes[k] >= lo && bytes[k] <= hi;
  while (i < n) {
    const b = bytes[i];
    let size = 0;
    if (b < 0x80) size = 1;
    else if (b >= 0xc2 && b <= 0xdf) size = inRange(i + 1, 0x80, 0xbf) ? 2 : 0;
    else if (b === 0xe0) size = inRange(i + 1, 0xa0, 0xbf) && inRange(i + 2, 0x80, 0xbf) ? 3 : 0;
    else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) size = inRange(i + 1, 0x80, 0xbf) && inRange(i + 2, 0x80, 0xbf) ? 3 : 0;
    else if (b === 0xed) size = inRange(i + 1, 0x80, 0x9f) && inRange(i + 2, 0x80, 0xbf) ? 3 : 0;
    else if (b === 0xf0) size = inRange(i + 1, 0x90, 0xbf) && inRange(i + 2, 0x80, 0xbf) && inRange(i + 3, 0x80, 0xbf) ? 4 : 0;
    else if (b >= 0xf1 && b <= 0xf3) size = inRange(i + 1, 0x80, 0xbf) && inRange(i + 2, 0x80, 0xbf) && inRange(i + 3, 0x80, 0xbf) ? 4 : 0;
    else if (b === 0xf4) size = inRange(i + 1, 0x80, 0x8f) && inRange(i + 2, 0x80, 0xbf) && inRange(i + 3, 0x80, 0xbf) ? 4 : 0;
    if (size === 0) {
      units.push(0xdc00 + b);
      i += 1;
      continue;
    }
    let cp: number;
    if (size === 1) cp = b;
    else if (size === 2) cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
    else if (size === 3) cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
    else cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else units.push(cp);
    i += size;
  }
  let out = "";
  for (let k = 0; k < units.length; k += 4096) out += String.fromCharCode(...units.slice(k, k + 4096));
  return out;
}

/** UTF-8; a lone U+DC80..U+DCFF is the byte it escapes; any other lone surrogate is U+FFFD. */
export function modelEncode(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
        i++;
        continue;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c >= 0xdc80 && c <= 0xdcff) out.push(c - 0xdc00);
    else if (c >= 0xd800 && c <= 0xdfff) out.push(0xef, 0xbf, 0xbd);
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

/** The model blob: a byte array, its length and the pointer. */
export class ModelBlob {
  private buf = new Uint8Array(16);
  len = 0;
  pos = 0;

  /** The data bytes (a view). */
  get data(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Replaces the content (construction). */
  load(bytes: ArrayLike<number>): void {
    this.buf = new Uint8Array(Math.max(16, bytes.length));
    this.buf.set(bytes);
    this.len = bytes.length;
    this.pos = 0;
  }

  private write(data: Uint8Array): void {
    const end = this.pos + data.length;
    if (end > MAX) rangeError();
    if (end > this.buf.length) {
      const bigger = new Uint8Array(Math.max(end, this.buf.length * 2));
      bigger.set(this.data);
      this.buf = bigger;
    }
    this.buf.set(data, this.pos);
    this.pos = end;
    if (end > this.len) this.len = end;
  }

  readn(type: unknown): number {
    const code = codeOf(type);
    const width = widthOf(code);
    if (width === 0) badCode(type);
    if (this.len - this.pos < width) plainError();
    const view = new DataView(this.buf.slice(this.pos, this.pos + width).buffer);
    this.pos += width;
    switch (code) {
      case 98:
        return view.getUint8(0);
      case 99:
        return view.getInt8(0);
      case 115:
        return view.getInt16(0, true);
      case 119:
        return view.getUint16(0, true);
      case 102:
        return view.getFloat32(0, true);
      case 100:
        return Math.fround(view.getFloat64(0, true));
      default:
        return view.getInt32(0, true);
    }
  }

  writen(value: unknown, type: unknown): void {
    const code = codeOf(type);
    const width = widthOf(code);
    if (width === 0) badCode(type);
    const view = new DataView(new ArrayBuffer(width));
    if (typeof value === "number") {
      switch (code) {
        case 102:
          view.setFloat32(0, value, true);
          break;
        case 100:
          view.setFloat64(0, Math.fround(value), true);
          break;
        default: {
          const int = value | 0; // ECMAScript ToInt32
          for (let k = 0; k < width; k++) view.setUint8(k, (int >> (8 * k)) & 0xff);
        }
      }
    } // any other value: `width` zero bytes (impOS >= 36)
    this.write(new Uint8Array(view.buffer));
  }

  readstring(n: unknown): string {
    const wanted = count(n);
    const k = Math.min(wanted, this.len - this.pos);
    const text = modelDecode([...this.buf.subarray(this.pos, this.pos + k)]);
    this.pos += k;
    return text;
  }

  writestring(s: unknown): void {
    if (typeof s !== "string") typeError();
    this.write(new Uint8Array(modelEncode(s as string)));
  }

  readblob(n: unknown): Uint8Array {
    const wanted = count(n);
    const k = Math.min(wanted, this.len - this.pos);
    if (k === 0) plainError();
    const out = this.buf.slice(this.pos, this.pos + k);
    this.pos += k;
    return out;
  }

  writeblob(source: unknown): number {
    if (!(source instanceof ModelBlobRef)) typeError();
    const data = (source as ModelBlobRef).bytes.slice();
    this.write(data);
    return data.length;
  }

  seek(offset: unknown, origin: unknown = 98): number {
    if (typeof offset !== "number" || !Number.isInteger(offset)) typeError();
    const code = codeOf(origin);
    let base: number;
    if (code === 98) base = 0;
    else if (code === 99) base = this.pos;
    else if (code === 101) base = this.len;
    else return badCode(origin);
    const target = base + (offset as number);
    if (target < 0 || target > this.len) return -1;
    this.pos = target;
    return 0;
  }

  resize(n: unknown): void {
    const size = count(n);
    if (size > MAX) rangeError();
    if (size < this.len) {
      // The bytes beyond the new end are gone for good: growing again writes fresh zeros or data.
      this.buf = this.buf.slice(0, Math.max(size, 16));
      this.buf.fill(0, size);
      this.len = size;
    }
    if (this.pos > this.len) this.pos = this.len;
  }

  swap2(): void {
    const b = this.buf;
    for (let k = 0; k + 1 < this.len; k += 2) {
      const t = b[k];
      b[k] = b[k + 1];
      b[k + 1] = t;
    }
  }

  swap4(): void {
    const b = this.buf;
    for (let k = 0; k + 3 < this.len; k += 4) {
      const [w, x, y, z] = [b[k], b[k + 1], b[k + 2], b[k + 3]];
      b[k] = z;
      b[k + 1] = y;
      b[k + 2] = x;
      b[k + 3] = w;
    }
  }

  index(i: unknown): number {
    if (typeof i !== "number") typeError();
    if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= this.len) rangeError();
    return i as number;
  }

  get(i: unknown): number {
    return this.buf[this.index(i)];
  }

  set(i: unknown, v: unknown): void {
    const at = this.index(i);
    if (typeof v !== "number") typeError();
    this.buf[at] = (v as number) & 0xff; // ToInt32, low 8 bits
  }
}

/** Model of one sequence, in the shape `runSequence` produces for the real Blob. */
export function modelSequence(sequence: Sequence): SequenceResult {
  const blob = new ModelBlob();
  const create = sequence.create;
  if (create.op === "new") {
    const size = decode(create.size, { Blob: FakeBlobForDecode });
    if (size !== undefined) {
      if (typeof size !== "number") return { create: { error: "TypeError", message: "" }, steps: [], finalDigest: null };
      if (!Number.isInteger(size)) return { create: { error: "TypeError", message: "" }, steps: [], finalDigest: null };
      if (size < 0 || size > MAX) return { create: { error: "RangeError", message: "" }, steps: [], finalDigest: null };
      blob.load(new Uint8Array(size));
    }
  } else {
    blob.load(create.bytes);
  }
  const steps: StepResult[] = [];
  for (const op of sequence.ops) {
    let outcome: Outcome;
    try {
      outcome = { ok: modelApply(blob, op) };
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      outcome = { error: error.kind, message: "" };
    }
    steps.push({ outcome, state: stateOf(blob.len, blob.pos, blob.data) });
  }
  return { create: { ok: { $: "table", table: { len: blob.len } } }, steps, finalDigest: digest(blob.data) };
}

/** Decoding of tagged arguments inside the model: blobs become ModelBlobRefs. */
const FakeBlobForDecode = class {
  constructor() {
    throw new Error("the model decodes blobs itself");
  }
} as never;

function modelArg(value: Encoded): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && value.$ === "blob") {
    return new ModelBlobRef((value.bytes as number[] | undefined) ?? []);
  }
  return decode(value, { Blob: FakeBlobForDecode });
}

function summary(bytes: Uint8Array): Encoded {
  return { $: "table", table: { len: bytes.length, tell: 0, digest: digest(bytes) } };
}

function modelApply(blob: ModelBlob, op: Op): Encoded {
  switch (op.op) {
    case "writen":
      return encode(blob.writen(modelArg(op.value), modelArg(op.type)));
    case "readn":
      return encode(blob.readn(modelArg(op.type)));
    case "writestring":
      return encode(blob.writestring(modelArg(op.s)));
    case "readstring":
      return stringResult(blob.readstring(modelArg(op.n)), modelEncode);
    case "writeblob":
    case "writeblob-wrapped":
      return encode(blob.writeblob(new ModelBlobRef(op.bytes)));
    case "writeblob-self":
      return encode(blob.writeblob(new ModelBlobRef(blob.data)));
    case "writeblob-fill":
      return encode(blob.writeblob(new ModelBlobRef(new Uint8Array(op.n).fill(op.fill))));
    case "writeblob-bad":
      return encode(blob.writeblob(modelArg(op.value)));
    case "readblob":
      return summary(blob.readblob(modelArg(op.n)));
    case "seek":
      return encode("origin" in op ? blob.seek(modelArg(op.offset), modelArg(op.origin as Encoded)) : blob.seek(modelArg(op.offset)));
    case "resize":
      return encode(blob.resize(modelArg(op.n)));
    case "swap2":
      return encode(blob.swap2());
    case "swap4":
      return encode(blob.swap4());
    case "tostring":
      return stringResult(modelDecode([...blob.data]), modelEncode);
    case "tell":
      return blob.pos;
    case "len":
      return blob.len;
    case "eos":
      return blob.pos === blob.len ? 1 : null;
    case "flush":
      return 1;
    case "clone":
      return summary(blob.data);
    case "iterate":
      return { $: "table", table: { count: blob.len, digest: digest(blob.data) } };
    case "get":
      return encode(blob.get(modelArg(op.i)));
    case "set":
      return encode(blob.set(modelArg(op.i), modelArg(op.v)));
  }
}

/**
 * First difference between impnet's results and the model's, or null.
 * Errors are compared by class (the matrix checks the messages).
 */
export function firstDifference(sequence: Sequence, actual: SequenceResult, expected: SequenceResult): string | null {
  const outcome = (o: Outcome): string => ("ok" in o ? `ok ${JSON.stringify(o.ok)}` : `throws ${o.error}`);
  if (outcome(actual.create) !== outcome(expected.create)) {
    return `create ${JSON.stringify(sequence.create)}: impnet ${outcome(actual.create)} (${"message" in actual.create ? actual.create.message : ""}), model ${outcome(expected.create)}`;
  }
  for (let i = 0; i < expected.steps.length; i++) {
    const a = actual.steps[i];
    const e = expected.steps[i];
    const what = `op #${i} ${JSON.stringify(sequence.ops[i])}`;
    if (a === undefined) return `${what}: missing in impnet's results`;
    if (outcome(a.outcome) !== outcome(e.outcome)) {
      return `${what}: impnet ${outcome(a.outcome)}${"message" in a.outcome ? ` (${a.outcome.message})` : ""}, model ${outcome(e.outcome)}`;
    }
    if (JSON.stringify(a.state) !== JSON.stringify(e.state)) {
      return `${what}: state after it: impnet ${JSON.stringify(a.state)}, model ${JSON.stringify(e.state)}`;
    }
  }
  if (actual.finalDigest !== expected.finalDigest) return `final content digest: impnet ${actual.finalDigest}, model ${expected.finalDigest}`;
  return null;
}

// ---------------------------------------------------------------- arbitraries

const tag = (name: string): Encoded => ({ $: name });

/** Any JS value an app might pass, encoded. */
const numberValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: -300, max: 300 }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.float() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, -(2 ** 31) - 1, 255.9, -0.5, 1e-45, 3.4028235e38, 3.5e38, 2 ** 53),
  },
);
const anyValue = fc.oneof(
  { weight: 8, arbitrary: numberValue.map((v) => encode(v)) },
  { weight: 1, arbitrary: fc.constantFrom<Encoded>("x", "12", null, tag("undefined"), true, false, { $: "table", table: {} }, [1], { $: "bigint", value: "7" }) },
);
const typeCode = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Encoded>("c", "b", "s", "w", "i", "l", "f", "d") },
  { weight: 3, arbitrary: fc.constantFrom<Encoded>(99, 98, 115, 119, 105, 108, 102, 100) },
  { weight: 1, arbitrary: fc.constantFrom<Encoded>("x", "", "ii", "e", "I", 101, 0, -1, 105.5, null, true, tag("undefined"), tag("NaN"), [105]) },
);
const countArg = fc.oneof(
  { weight: 5, arbitrary: fc.nat(24) },
  { weight: 3, arbitrary: fc.nat(700) },
  { weight: 1, arbitrary: fc.constantFrom<Encoded>(0, -1, 1.5, tag("NaN"), tag("Infinity"), "3", null, tag("undefined"), 524288, 524289, 2 ** 31, tag("-0")) },
);
const smallBytes = fc.uint8Array({ maxLength: 40 }).map((u) => [...u]);
/** Strings: ASCII and Unicode text, and raw UTF-16 units (lone surrogates, surrogate escapes). */
const text = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0xdc80, max: 0xdcff })), { maxLength: 16 }).map(
    (units) => String.fromCharCode(...units),
  ),
);
const textArg = fc.oneof(
  { weight: 9, arbitrary: text.map((s) => encode(s)) },
  { weight: 1, arbitrary: fc.constantFrom<Encoded>(null, 5, tag("undefined"), { $: "blob", bytes: [65] }, { $: "string-of", unit: "é", count: 600 }) },
);
const index = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -2, max: 70 }).map((v) => encode(v)) },
  { weight: 1, arbitrary: fc.constantFrom<Encoded>(1.5, tag("NaN"), "1", null, tag("-0"), tag("Infinity"), 2 ** 32) },
);
const origin = fc.constantFrom<Encoded>("b", "c", "e", 98, 99, 101, "x", 100, null, tag("undefined"), "B");

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("writen" as const), value: anyValue, type: typeCode }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("readn" as const), type: typeCode }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("writestring" as const), s: textArg }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("readstring" as const), n: countArg }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("writeblob" as const), bytes: smallBytes }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("writeblob-wrapped" as const), bytes: smallBytes }) },
  { weight: 1, arbitrary: fc.constant({ op: "writeblob-self" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("writeblob-fill" as const),
      n: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(0, 100, 1500) },
        { weight: 2, arbitrary: fc.constantFrom(65507, 65508) },
        { weight: 1, arbitrary: fc.constantFrom(300000, 524288, 524289) },
      ),
      fill: fc.constantFrom(0, 0x41, 0xff),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("writeblob-bad" as const), value: fc.constantFrom<Encoded>(null, "blob", 3, tag("undefined"), [1, 2]) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("readblob" as const), n: countArg }) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.record({ op: fc.constant("seek" as const), offset: fc.integer({ min: -80, max: 80 }).map((v) => encode(v)) }),
      fc.record({ op: fc.constant("seek" as const), offset: fc.integer({ min: -80, max: 80 }).map((v) => encode(v)), origin }),
      fc.record({ op: fc.constant("seek" as const), offset: fc.constantFrom<Encoded>(1.5, tag("NaN"), "2", null), origin }),
    ),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("resize" as const), n: countArg }) },
  { weight: 1, arbitrary: fc.constantFrom<Op>({ op: "swap2" }, { op: "swap4" }, { op: "tostring" }, { op: "tell" }, { op: "len" }, { op: "eos" }, { op: "flush" }, { op: "clone" }, { op: "iterate" }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("get" as const), i: index }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("set" as const), i: index, v: anyValue }) },
);

export const createArbitrary: fc.Arbitrary<Create> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("new" as const), size: fc.nat(48).map((v) => encode(v)) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("new" as const),
      size: fc.constantFrom<Encoded>(tag("undefined"), -1, 1.5, "4", null, tag("NaN"), 524288, 524289, { $: "table", table: {} }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("from" as const), bytes: smallBytes }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("wrap" as const), bytes: smallBytes }) },
);


export const sequenceArbitrary = (maxOps = 10): fc.Arbitrary<Sequence> =>
  fc.record({
    create: createArbitrary,
    ops: fc.array(
      opArbitrary,
      { minLength: 1, maxLength: maxOps },
    ),
  });
