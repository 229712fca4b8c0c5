/**
 * Blob operation sequences for the Blob fuzz: the operations (JSON, so a
 * sequence can be replayed inside XS), and the runner that applies them to
 * impnet's Blob and records every outcome. Plain ES2022: the XS test app
 * bundles this file. The reference model lives in blob-model.ts (Node).
 */
import type { Blob as BlobClass } from "../../../modules/impnet/core/blob";
import { encodeText } from "../../../modules/impnet/core/text";
import { decode, encode, type Encoded } from "./codec";

/** How a sequence's blob is made. */
export type Create =
  | { op: "new"; size: Encoded } // new Blob(size) (size may be invalid, or { $: "undefined" })
  | { op: "from"; bytes: number[] } // Blob.from(Uint8Array)
  | { op: "wrap"; bytes: number[] }; // new Blob(ArrayBuffer): wraps without copying

export type Op =
  | { op: "writen"; value: Encoded; type: Encoded }
  | { op: "readn"; type: Encoded }
  | { op: "writestring"; s: Encoded }
  | { op: "readstring"; n: Encoded }
  | { op: "writeblob"; bytes: number[] }
  | { op: "writeblob-wrapped"; bytes: number[] }
  | { op: "writeblob-self" }
  | { op: "writeblob-fill"; n: number; fill: number }
  | { op: "writeblob-bad"; value: Encoded }
  | { op: "readblob"; n: Encoded }
  | { op: "seek"; offset: Encoded; origin?: Encoded }
  | { op: "resize"; n: Encoded }
  | { op: "swap2" }
  | { op: "swap4" }
  | { op: "tostring" }
  | { op: "tell" }
  | { op: "len" }
  | { op: "eos" }
  | { op: "flush" }
  | { op: "clone" }
  | { op: "iterate" }
  | { op: "get"; i: Encoded }
  | { op: "set"; i: Encoded; v: Encoded };

export interface Sequence {
  create: Create;
  ops: Op[];
}

/** A blob's observable state: length, pointer, and its content (see stateOf). */
export interface BlobState {
  len: number;
  tell: number;
  bytes?: number[];
  digest?: number;
}

/** Outcome of one call: a value, or the class of the error it threw. */
export type Outcome = { ok: Encoded } | { error: string; message: string };

export interface StepResult {
  outcome: Outcome;
  state: BlobState | null;
}

export interface SequenceResult {
  create: Outcome;
  steps: StepResult[];
  /** Full content digest at the end (every byte). */
  finalDigest: number | null;
}

/** FNV-1a over bytes: the same function in Node and in XS. */
export function digest(bytes: ArrayLike<number>, length = bytes.length): number {
  let h = 2166136261;
  for (let i = 0; i < length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}

/**
 * Small blobs in full, up to 4 KB as a digest, larger ones by length and
 * pointer only (the sequence's final digest still covers every byte).
 */
export function stateOf(len: number, tell: number, bytes: ArrayLike<number>): BlobState {
  if (len <= 64) {
    const list: number[] = [];
    for (let i = 0; i < len; i++) list.push(bytes[i]);
    return { len, tell, bytes: list };
  }
  if (len <= 4096) return { len, tell, digest: digest(bytes, len) };
  return { len, tell };
}

/** Bytes of a real Blob without moving its pointer. */
export function bytesOf(blob: BlobClass): Uint8Array {
  return blob.bytes();
}

function failure(error: unknown): Outcome {
  if (error instanceof Error) return { error: error.name, message: error.message };
  return { error: "non-Error", message: String(error) };
}

/**
 * A string result. Up to 256 UTF-16 units: the string itself. Longer: its
 * length and the digest of its UTF-8 (surrogateescape) bytes, because
 * walking a long string unit by unit is quadratic in XS (its strings are
 * UTF-8 inside). The model computes the same with its own encoder.
 */
export function stringResult(text: string, utf8: (text: string) => ArrayLike<number> = encodeText): Encoded {
  if (text.length <= 256) return encode(text);
  const bytes = utf8(text);
  return { $: "table", table: { units: text.length, utf8: digest(bytes) } };
}

/** Describes a returned blob (readblob, clone) by length, pointer and digest. */
function blobSummary(blob: BlobClass): Encoded {
  const bytes = blob.bytes();
  return { $: "table", table: { len: blob.len(), tell: blob.tell(), digest: digest(bytes, bytes.length) } };
}

/**
 * Runs one sequence on impnet's Blob (in whatever engine this runs), recording
 * each operation's outcome and the blob's state after it.
 */
export function runSequence(Blob: typeof BlobClass, sequence: Sequence): SequenceResult {
  const context = { Blob };
  let blob: BlobClass;
  try {
    const create = sequence.create;
    if (create.op === "new") {
      const size = decode(create.size, context);
      blob = size === undefined ? new Blob() : new Blob(size as number);
    } else if (create.op === "from") {
      blob = Blob.from(new Uint8Array(create.bytes));
    } else {
      blob = new Blob(new Uint8Array(create.bytes).buffer);
    }
  } catch (error) {
    return { create: failure(error), steps: [], finalDigest: null };
  }
  const steps: StepResult[] = [];
  for (const op of sequence.ops) {
    let outcome: Outcome;
    try {
      outcome = { ok: apply(blob, op, Blob) };
    } catch (error) {
      outcome = failure(error);
    }
    const bytes = blob.bytes();
    steps.push({ outcome, state: stateOf(blob.len(), blob.tell(), bytes) });
  }
  const bytes = blob.bytes();
  return { create: { ok: { $: "table", table: { len: blob.len() } } }, steps, finalDigest: digest(bytes, bytes.length) };
}

function apply(blob: BlobClass, op: Op, Blob: typeof BlobClass): Encoded {
  const context = { Blob };
  // Arguments are deliberately of any type: that is what the fuzz is about.
  const d = (value: Encoded): never => decode(value, context) as never;
  switch (op.op) {
    case "writen":
      return encode(blob.writen(d(op.value), d(op.type)));
    case "readn":
      return encode(blob.readn(d(op.type)));
    case "writestring":
      return encode(blob.writestring(d(op.s)));
    case "readstring":
      return stringResult(blob.readstring(d(op.n)));
    case "writeblob":
      return encode(blob.writeblob(Blob.from(new Uint8Array(op.bytes))));
    case "writeblob-wrapped":
      return encode(blob.writeblob(new Blob(new Uint8Array(op.bytes).buffer)));
    case "writeblob-self":
      return encode(blob.writeblob(blob));
    case "writeblob-fill": {
      const source = new Blob(op.n);
      if (op.fill !== 0) source.bytes().fill(op.fill);
      return encode(blob.writeblob(source));
    }
    case "writeblob-bad":
      return encode(blob.writeblob(d(op.value)));
    case "readblob":
      return blobSummary(blob.readblob(d(op.n)));
    case "seek":
      return encode("origin" in op ? blob.seek(d(op.offset), d(op.origin as Encoded)) : blob.seek(d(op.offset)));
    case "resize":
      return encode(blob.resize(d(op.n)));
    case "swap2":
      return encode(blob.swap2());
    case "swap4":
      return encode(blob.swap4());
    case "tostring":
      return stringResult(blob.tostring());
    case "tell":
      return encode(blob.tell());
    case "len":
      return encode(blob.len());
    case "eos":
      return encode(blob.eos());
    case "flush":
      return encode(blob.flush());
    case "clone":
      return blobSummary(blob.clone());
    case "iterate": {
      const seen: number[] = [];
      for (const byte of blob) seen.push(byte);
      return { $: "table", table: { count: seen.length, digest: digest(seen) } };
    }
    case "get":
      return encode(blob.get(d(op.i)));
    case "set":
      return encode(blob.set(d(op.i), d(op.v)));
  }
}
