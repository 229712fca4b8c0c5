import test from "ava";
import fc from "fast-check";
import { Blob, BLOB_MAX_SIZE, BLOB_TYPE, blobCompat, type BlobTypeCode } from "../../modules/impnet/core/blob";
import { decodeText, encodeText } from "../../modules/impnet/core/text";

const SEED = 20261129;
const MAX = 524288;

const hex = (bytes: ArrayLike<number>): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const contents = (b: Blob): string => hex(b.bytes());
const blobOf = (...bytes: number[]): Blob => Blob.from(Uint8Array.from(bytes));

/** Runs `body` with some blobCompat switches changed, restoring them afterwards. */
function withCompat(changes: Partial<typeof blobCompat>, body: () => void): void {
  const saved = { ...blobCompat };
  Object.assign(blobCompat, changes);
  try {
    body();
  } finally {
    Object.assign(blobCompat, saved);
  }
}


// ---------------------------------------------------------------------------
// 8.1 Construction

test("blob() is empty with the pointer at 0", (t) => {
  const b = new Blob();
  t.is(b.len(), 0);
  t.is(b.tell(), 0);
  t.is(b.eos(), 1);
  t.is(contents(b), "");
  t.is(new Blob(undefined).len(), 0);
});

test("blob(n) holds n zero bytes with the pointer at 0", (t) => {
  const b = new Blob(6);
  t.is(b.len(), 6);
  t.is(b.tell(), 0);
  t.is(b.eos(), null);
  t.is(contents(b), "00 00 00 00 00 00");
  t.is(new Blob(0).len(), 0);
});

test("blob(n) with a negative size throws RangeError", (t) => {
  t.throws(() => new Blob(-1), { instanceOf: RangeError, message: /^blob: size -1 is negative/ });
  t.throws(() => new Blob(-1000), { instanceOf: RangeError });
});

test("blob(n) allows 512 KB and no more", (t) => {
  t.is(BLOB_MAX_SIZE, MAX);
  const b = new Blob(MAX);
  t.is(b.len(), MAX);
  t.throws(() => new Blob(MAX + 1), { instanceOf: RangeError, message: /524289.*maximum of 524288/ });
});

test("blob(x) with a non-integer size throws TypeError", (t) => {
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5, "4", null, true, {}, [], new Uint8Array(2)]) {
    t.throws(() => new Blob(bad as unknown as number), { instanceOf: TypeError }, String(bad));
  }
});

test("new Blob(arrayBuffer) wraps the buffer without copying", (t) => {
  const ab = new ArrayBuffer(4);
  const view = new Uint8Array(ab);
  view.set([1, 2, 3, 4]);
  const b = new Blob(ab);
  t.is(b.len(), 4);
  t.is(b.tell(), 0);
  t.is(b.bytes().buffer, ab);
  // later writes to the buffer are seen by the blob ...
  view[1] = 0x77;
  t.is(b.get(1), 0x77);
  // ... and writes to the blob land in the buffer
  b.set(2, 0x99);
  b.seek(3);
  b.writen(0x55, "b");
  t.is(hex(view), "01 77 99 55");
  t.is(b.len(), 4);
});

test("new Blob(arrayBuffer) of an empty buffer, and above 512 KB", (t) => {
  const b = new Blob(new ArrayBuffer(0));
  t.is(b.len(), 0);
  t.is(b.eos(), 1);
  t.throws(() => new Blob(new ArrayBuffer(MAX + 1)), { instanceOf: RangeError });
});

test("a wrapped blob that grows stops sharing the buffer (documented)", (t) => {
  const ab = new ArrayBuffer(2);
  const b = new Blob(ab);
  b.seek(0, "e");
  b.writen(7, "b");
  t.is(b.len(), 3);
  t.not(b.bytes().buffer, ab);
  b.set(0, 9);
  t.is(new Uint8Array(ab)[0], 0);
});

test("Blob.from copies its argument", (t) => {
  const src = Uint8Array.from([1, 2, 3]);
  const b = Blob.from(src);
  src[0] = 9;
  t.is(contents(b), "01 02 03");
  t.is(b.tell(), 0);
  t.throws(() => Blob.from([1, 2] as unknown as Uint8Array), { instanceOf: TypeError });
});

test("clone() copies all bytes into a new blob with the pointer at 0", (t) => {
  const b = blobOf(1, 2, 3);
  b.seek(2);
  const c = b.clone();
  t.is(contents(c), "01 02 03");
  t.is(c.tell(), 0);
  t.is(b.tell(), 2);
  c.set(0, 0xff);
  t.is(b.get(0), 1);
  t.not(c.bytes().buffer, b.bytes().buffer);
  t.is(new Blob().clone().len(), 0);
});

test("blobs are passed by reference", (t) => {
  const b = new Blob();
  const write = (x: Blob) => x.writen(5, "b");
  write(b);
  t.is(b.len(), 1);
});

// ---------------------------------------------------------------------------
// 8.2 Type codes

test("BLOB_TYPE holds the character codes", (t) => {
  t.deepEqual(
    { ...BLOB_TYPE },
    { c: "c".charCodeAt(0), b: 98, s: 115, w: 119, i: 105, l: 108, f: 102, d: 100 },
  );
});

const intCases: Array<[BlobTypeCode, number, string, number]> = [
  // code, value written, bytes, value read back
  ["b", 0xab, "ab", 0xab],
  ["b", 0x105, "05", 5],
  ["b", -1, "ff", 255],
  ["c", -2, "fe", -2],
  ["c", 0x7f, "7f", 127],
  ["c", 0x80, "80", -128],
  ["c", 200, "c8", -56],
  ["w", 0x1234, "34 12", 0x1234],
  ["w", -1, "ff ff", 0xffff],
  ["w", 0x12345, "45 23", 0x2345],
  ["s", -2, "fe ff", -2],
  ["s", 0x7fff, "ff 7f", 32767],
  ["s", 0x8000, "00 80", -32768],
  ["i", 0x12345678, "78 56 34 12", 0x12345678],
  ["i", -1, "ff ff ff ff", -1],
  ["i", 0x80000000, "00 00 00 80", -2147483648],
  ["i", 2 ** 32 + 5, "05 00 00 00", 5],
  ["l", 0x01020304, "04 03 02 01", 0x01020304],
  ["l", -3, "fd ff ff ff", -3],
];

for (const [code, value, bytes, back] of intCases) {
  test(`writen(${value}, '${code}') writes [${bytes}] little-endian and readn gives ${back}`, (t) => {
    for (const type of [code, (code as string).charCodeAt(0)]) {
      const b = new Blob();
      b.writen(value, type);
      t.is(contents(b), bytes);
      t.is(b.tell(), bytes.split(" ").length);
      b.seek(0);
      t.is(b.readn(type), back);
      t.is(b.eos(), 1);
    }
  });
}

test("writen truncates floats toward zero for integer types, NaN/Infinity give 0", (t) => {
  const b = new Blob();
  b.writen(3.9, "i");
  b.writen(-3.9, "i");
  b.writen(255.99, "b");
  b.writen(-1.5, "c");
  b.writen(Number.NaN, "w");
  b.writen(Number.POSITIVE_INFINITY, "i");
  b.seek(0);
  t.is(b.readn("i"), 3);
  t.is(b.readn("i"), -3);
  t.is(b.readn("b"), 255);
  t.is(b.readn("c"), -1);
  t.is(b.readn("w"), 0);
  t.is(b.readn("i"), 0);
});

test("'f' is a little-endian 32-bit float", (t) => {
  const b = new Blob();
  b.writen(1.5, "f");
  t.is(contents(b), "00 00 c0 3f");
  b.writen(-2, 102);
  t.is(contents(b), "00 00 c0 3f 00 00 00 c0");
  b.seek(0);
  t.is(b.readn("f"), 1.5);
  t.is(b.readn(102), -2);
});

test("'f' narrows to 32-bit precision and accepts integers", (t) => {
  const b = new Blob();
  b.writen(0.1, "f");
  b.writen(16777217, "f"); // 2^24 + 1 is not a float32
  b.writen(7, "f");
  b.seek(0);
  const v = b.readn("f");
  t.is(v, Math.fround(0.1));
  t.not(v, 0.1);
  t.is(b.readn("f"), 16777216);
  t.is(b.readn("f"), 7);
});

test("'d' writes the 64-bit widening of the 32-bit value", (t) => {
  const b = new Blob();
  b.writen(0.1, "d");
  t.is(b.len(), 8);
  const expected = new DataView(new ArrayBuffer(8));
  expected.setFloat64(0, Math.fround(0.1), true);
  t.is(contents(b), hex(new Uint8Array(expected.buffer)));
  const notWidened = new DataView(new ArrayBuffer(8));
  notWidened.setFloat64(0, 0.1, true);
  t.not(contents(b), hex(new Uint8Array(notWidened.buffer)));
  b.seek(0);
  t.is(b.readn("d"), Math.fround(0.1));
});

test("'d' reads a full double and narrows it to 32-bit precision", (t) => {
  const dv = new DataView(new ArrayBuffer(16));
  dv.setFloat64(0, Math.PI, true);
  dv.setFloat64(8, -1e300, true);
  const b = new Blob(dv.buffer);
  t.is(b.readn("d"), Math.fround(Math.PI));
  t.is(b.readn(100), Number.NEGATIVE_INFINITY); // out of float32 range
  t.is(b.tell(), 16);
});

// XS's Math.fround returns integer-kind values unchanged (Math.fround(2147483647)
// is 2147483647 there); the blob must round such integers to float32 anyway.
test("'f' and 'd' round large integers to float32", (t) => {
  const b = new Blob();
  b.writen(2147483647, "f");
  b.writen(2147483647, "d");
  b.writen(16777217, "d");
  t.is(hex(b.bytes().subarray(0, 4)), "00 00 00 4f");
  t.is(hex(b.bytes().subarray(4, 12)), "00 00 00 00 00 00 e0 41");
  b.seek(0);
  t.is(b.readn("f"), 2147483648);
  t.is(b.readn("d"), 2147483648);
  t.is(b.readn("d"), 16777216);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, 2147483647, true);
  t.is(new Blob(dv.buffer).readn("d"), 2147483648);
});

test("float special values survive 'f' and 'd'", (t) => {
  const b = new Blob();
  for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]) {
    b.writen(v, "f");
    b.writen(v, "d");
  }
  b.seek(0);
  for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]) {
    t.true(Object.is(b.readn("f"), v), `f ${v}`);
    t.true(Object.is(b.readn("d"), v), `d ${v}`);
  }
});

test("writen of a non-number writes that many zero bytes (impOS 36+), booleans included", (t) => {
  const widths: Array<[BlobTypeCode, number]> = [["c", 1], ["b", 1], ["s", 2], ["w", 2], ["i", 4], ["l", 4], ["f", 4], ["d", 8]];
  for (const value of ["abc", "", null, undefined, true, false, {}, [1], new Blob(3), 5n]) {
    for (const [code, width] of widths) {
      const b = new Blob(10);
      b.bytes().fill(0xff);
      b.seek(1);
      b.writen(value, code);
      t.is(b.tell(), 1 + width);
      t.is(contents(b), hex([0xff, ...new Array<number>(width).fill(0), ...new Array<number>(9 - width).fill(0xff)]));
    }
  }
  const grown = new Blob();
  grown.writen("x", "d");
  t.is(contents(grown), "00 00 00 00 00 00 00 00");
});

test("writen overwrites in place and grows past the end", (t) => {
  const b = blobOf(1, 2);
  b.seek(1);
  b.writen(0xaabbccdd, "i");
  t.is(contents(b), "01 dd cc bb aa");
  t.is(b.len(), 5);
  t.is(b.tell(), 5);
  b.seek(0);
  b.writen(9, "b");
  t.is(contents(b), "09 dd cc bb aa");
  t.is(b.len(), 5);
  t.is(b.tell(), 1);
});

test("readn and writen reject invalid type codes and change nothing", (t) => {
  for (const bad of ["x", 120, "ii", "", "I", 105.5, -1, Number.NaN]) {
    const b = blobOf(1, 2, 3, 4, 5, 6, 7, 8);
    b.seek(2);
    t.throws(() => b.readn(bad as BlobTypeCode), { instanceOf: RangeError, message: /^readn: type code .* is not one of c b s w i l f d$/ });
    t.throws(() => b.writen(1, bad as BlobTypeCode), { instanceOf: RangeError, message: /^writen: type code/ });
    t.throws(() => b.writen("not a number", bad as BlobTypeCode), { instanceOf: RangeError });
    t.is(b.tell(), 2);
    t.is(contents(b), "01 02 03 04 05 06 07 08");
  }
  for (const bad of [null, undefined, {}, true]) {
    t.throws(() => new Blob(8).readn(bad as unknown as BlobTypeCode), { instanceOf: TypeError });
    t.throws(() => new Blob(8).writen(1, bad as unknown as BlobTypeCode), { instanceOf: TypeError });
  }
  t.throws(() => new Blob(8).readn(120), { message: "readn: type code 120 is not one of c b s w i l f d" });
});

test("readn with too few bytes left throws an io error and leaves the pointer", (t) => {
  const cases: Array<[BlobTypeCode, number]> = [["b", 0], ["c", 0], ["s", 1], ["w", 1], ["i", 3], ["l", 3], ["f", 3], ["d", 7]];
  for (const [code, left] of cases) {
    const b = new Blob(10);
    b.seek(10 - left);
    t.throws(() => b.readn(code), { instanceOf: Error, message: /^readn: io error.* needs \d bytes? but \d remain/ }, String(code));
    t.is(b.tell(), 10 - left);
    t.is(b.len(), 10);
  }
  t.throws(() => new Blob(3).readn("i"), { message: "readn: io error, type 'i' needs 4 bytes but 3 remain" });
});

test("'l' can be switched off (blobCompat.typeL)", (t) => {
  withCompat({ typeL: false }, () => {
    t.throws(() => new Blob(8).readn("l"), { instanceOf: RangeError, message: /not one of c b s w i f d$/ });
    t.throws(() => new Blob(8).writen(1, 108), { instanceOf: RangeError });
  });
  t.is(new Blob(8).readn("l"), 0);
});

// ---------------------------------------------------------------------------
// 8.3 readstring / writestring

test("readstring(n) reads min(n, remaining) bytes and advances", (t) => {
  const b = new Blob();
  b.writestring("hello world");
  b.seek(0);
  t.is(b.readstring(5), "hello");
  t.is(b.tell(), 5);
  t.is(b.readstring(0), "");
  t.is(b.tell(), 5);
  t.is(b.readstring(100), " world");
  t.is(b.tell(), 11);
  t.is(b.eos(), 1);
});

test("readstring at the very end returns an empty string (impnet choice)", (t) => {
  const b = blobOf(0x61);
  b.seek(0, "e");
  t.is(b.readstring(4), "");
  t.is(b.tell(), 1);
  t.is(new Blob().readstring(10), "");
});

test("readstring at the very end throws when blobCompat.readstringThrowsAtEnd", (t) => {
  withCompat({ readstringThrowsAtEnd: true }, () => {
    const b = blobOf(0x61);
    t.is(b.readstring(4), "a");
    t.throws(() => b.readstring(4), { message: /^readstring: no data left to read/ });
  });
});

test("readstring decodes UTF-8 and keeps split or invalid bytes as escapes", (t) => {
  const b = Blob.from(encodeText("h\u00e9\u20ac\ud83d\ude00"));
  t.is(b.len(), 10);
  t.is(b.readstring(3), "h\u00e9");
  t.is(b.readstring(2), "\udce2\udc82"); // half of the euro sign
  const rest = b.readstring(99);
  t.is(rest, "\udcac\ud83d\ude00");
  const out = new Blob();
  out.writestring("h\u00e9");
  out.writestring("\udce2\udc82");
  out.writestring(rest);
  t.is(contents(out), contents(b));
});

test("readstring validates n", (t) => {
  const b = new Blob(4);
  t.throws(() => b.readstring(-1), { instanceOf: RangeError, message: /^readstring: length -1 is negative/ });
  t.throws(() => b.readstring(1.5), { instanceOf: TypeError });
  t.throws(() => b.readstring("2" as unknown as number), { instanceOf: TypeError });
  t.is(b.tell(), 0);
});

test("writestring writes the raw bytes with no terminator, overwriting and growing", (t) => {
  const b = new Blob();
  b.writestring("abcdef");
  t.is(b.len(), 6);
  t.is(b.tell(), 6);
  t.is(b.tostring(), "abcdef");
  b.seek(2);
  b.writestring("XY");
  t.is(b.tostring(), "abXYef");
  t.is(b.tell(), 4);
  t.is(b.len(), 6);
  b.seek(5);
  b.writestring("\u00e9\u00e9");
  t.is(b.len(), 9);
  t.is(contents(b), "61 62 58 59 65 c3 a9 c3 a9");
  b.writestring("");
  t.is(b.tell(), 9);
  t.is(b.len(), 9);
});

test("writestring encodes UTF-8, escapes back to their bytes", (t) => {
  const b = new Blob();
  b.writestring("\u20ac\ud83d\ude00\udc80\udcff\ud800");
  t.is(contents(b), "e2 82 ac f0 9f 98 80 80 ff ef bf bd");
});

test("writestring into a blob with room needs no growth and keeps the rest", (t) => {
  const b = new Blob(64);
  b.bytes().fill(0x2e);
  b.seek(10);
  b.writestring("hi \u00e9");
  t.is(b.len(), 64);
  t.is(b.tell(), 15);
  t.is(hex(b.bytes().subarray(8, 17)), "2e 2e 68 69 20 c3 a9 2e 2e");
});

test("writestring of a non-string is a TypeError", (t) => {
  for (const bad of [5, null, undefined, new Blob(1), ["a"]]) {
    const b = new Blob(2);
    t.throws(() => b.writestring(bad as unknown as string), { instanceOf: TypeError, message: /^writestring:/ });
    t.is(b.len(), 2);
    t.is(b.tell(), 0);
  }
});

test("binary data survives tostring() then writestring()", (t) => {
  const all = new Uint8Array(256);
  for (let i = 0; i < 256; i++) all[i] = (i * 167 + 13) & 0xff;
  const b = new Blob(all.buffer);
  const s = b.tostring();
  const out = new Blob();
  out.writestring(s);
  t.is(contents(out), hex(all));
  b.seek(100);
  const out2 = new Blob();
  out2.writestring(b.readstring(1000));
  t.is(contents(out2), hex(all.subarray(100)));
});

// ---------------------------------------------------------------------------
// readblob / writeblob

test("readblob(n) copies min(n, remaining) bytes into a new blob at pointer 0", (t) => {
  const b = blobOf(1, 2, 3, 4, 5);
  b.seek(1);
  const r = b.readblob(3);
  t.true(r instanceof Blob);
  t.is(contents(r), "02 03 04");
  t.is(r.tell(), 0);
  t.is(b.tell(), 4);
  const rest = b.readblob(100);
  t.is(contents(rest), "05");
  t.is(b.tell(), 5);
  r.set(0, 0xff);
  t.is(b.get(1), 2);
});

test("readblob with no data left throws 'no data left to read' (stock Squirrel)", (t) => {
  const b = blobOf(1, 2);
  b.seek(0, "e");
  t.throws(() => b.readblob(1), { instanceOf: Error, message: /^readblob: no data left to read/ });
  t.is(b.tell(), 2);
  t.throws(() => new Blob().readblob(4), { message: /no data left to read/ });
  // reading 0 bytes counts as no data, as in stock Squirrel
  b.seek(0);
  t.throws(() => b.readblob(0), { message: /no data left to read/ });
  t.is(b.tell(), 0);
});

test("readblob returns an empty blob instead when blobCompat.readblobThrowsWhenEmpty is off", (t) => {
  withCompat({ readblobThrowsWhenEmpty: false }, () => {
    const b = blobOf(1);
    b.seek(1);
    const r = b.readblob(5);
    t.is(r.len(), 0);
    t.is(b.tell(), 1);
  });
});

test("readblob validates n", (t) => {
  const b = new Blob(4);
  t.throws(() => b.readblob(-1), { instanceOf: RangeError, message: /^readblob: length -1 is negative/ });
  t.throws(() => b.readblob(0.5), { instanceOf: TypeError });
  t.throws(() => b.readblob(null as unknown as number), { instanceOf: TypeError });
  t.is(b.tell(), 0);
});

test("writeblob writes all of b whatever b's pointer, overwriting, and returns the count", (t) => {
  const dst = Blob.from(encodeText("abcdef"));
  const src = Blob.from(encodeText("XY"));
  src.seek(1);
  dst.seek(1);
  t.is(dst.writeblob(src), 2);
  t.is(dst.tostring(), "aXYdef");
  t.is(dst.tell(), 3);
  t.is(dst.len(), 6);
  t.is(src.tell(), 1);
  dst.seek(5);
  dst.writeblob(src);
  t.is(dst.tostring(), "aXYdeXY");
  t.is(dst.len(), 7);
  t.is(dst.tell(), 7);
});

test("writeblob of an empty blob writes nothing", (t) => {
  const dst = blobOf(1, 2);
  dst.seek(1);
  t.is(dst.writeblob(new Blob()), 0);
  t.is(contents(dst), "01 02");
  t.is(dst.tell(), 1);
});

test("writeblob of a blob into itself", (t) => {
  const a = blobOf(1, 2, 3);
  a.seek(1);
  t.is(a.writeblob(a), 3);
  t.is(contents(a), "01 01 02 03");
  t.is(a.tell(), 4);
  const b = blobOf(1, 2, 3);
  b.seek(0, "e");
  b.writeblob(b);
  t.is(contents(b), "01 02 03 01 02 03");
  const c = blobOf(1, 2, 3);
  c.writeblob(c);
  t.is(contents(c), "01 02 03");
  t.is(c.tell(), 3);
  // a blob with spare capacity (no reallocation on the way)
  const d = new Blob(16);
  d.resize(16);
  d.seek(0);
  d.writen(0x04030201, "i");
  d.resize(32);
  d.seek(2);
  d.writeblob(d);
  t.is(contents(d).slice(0, 6 * 3 - 1), "01 02 01 02 03 04");
});

test("writeblob from a blob wrapping the same buffer", (t) => {
  const ab = new ArrayBuffer(4);
  new Uint8Array(ab).set([1, 2, 3, 4]);
  const a = new Blob(ab);
  const b = new Blob(ab);
  a.seek(1);
  a.resize(4);
  t.is(a.writeblob(b), 4);
  t.is(contents(a), "01 01 02 03 04");
});

test("writeblob of a non-blob is a TypeError", (t) => {
  for (const bad of [new Uint8Array(2), "ab", null, 3, {}]) {
    const b = new Blob(2);
    t.throws(() => b.writeblob(bad as unknown as Blob), { instanceOf: TypeError, message: /^writeblob:/ });
    t.is(b.len(), 2);
  }
});

// ---------------------------------------------------------------------------
// seek / tell / len / eos

test("seek from the beginning (the default), as string or code", (t) => {
  const b = new Blob(10);
  t.is(b.seek(4), 0);
  t.is(b.tell(), 4);
  t.is(b.seek(6, "b"), 0);
  t.is(b.tell(), 6);
  t.is(b.seek(2, 98), 0);
  t.is(b.tell(), 2);
  t.is(b.seek(10), 0);
  t.is(b.eos(), 1);
  t.is(b.seek(0), 0);
  t.is(b.tell(), 0);
});

test("seek from the current position", (t) => {
  const b = new Blob(10);
  b.seek(4);
  t.is(b.seek(3, "c"), 0);
  t.is(b.tell(), 7);
  t.is(b.seek(-5, 99), 0);
  t.is(b.tell(), 2);
  t.is(b.seek(0, "c"), 0);
  t.is(b.tell(), 2);
});

test("seek from the end", (t) => {
  const b = new Blob(10);
  t.is(b.seek(0, "e"), 0);
  t.is(b.tell(), 10);
  t.is(b.seek(-4, 101), 0);
  t.is(b.tell(), 6);
  t.is(b.seek(-10, "e"), 0);
  t.is(b.tell(), 0);
});

test("seek out of range returns -1 and leaves the pointer", (t) => {
  const b = new Blob(10);
  b.seek(5);
  const cases: Array<[number, "b" | "c" | "e"]> = [[-1, "b"], [11, "b"], [6, "c"], [-6, "c"], [1, "e"], [-11, "e"]];
  for (const [offset, origin] of cases) {
    t.is(b.seek(offset, origin), -1, `${offset} ${origin}`);
    t.is(b.tell(), 5);
  }
  t.is(new Blob().seek(1), -1);
  t.is(new Blob().seek(0), 0);
});

test("seek with an invalid origin throws 'invalid origin'", (t) => {
  const b = new Blob(4);
  for (const bad of ["x", 120, "bb", "", "B"]) {
    t.throws(() => b.seek(0, bad as "b"), { instanceOf: RangeError, message: /^seek: invalid origin .*not 'b', 'c' or 'e'/ });
  }
  for (const bad of [null, {}, true]) {
    t.throws(() => b.seek(0, bad as unknown as "b"), { instanceOf: TypeError, message: /invalid origin/ });
  }
  t.is(b.tell(), 0);
});

test("seek with a non-integer offset is a TypeError", (t) => {
  const b = new Blob(4);
  for (const bad of [1.5, Number.NaN, "1", null, undefined]) {
    t.throws(() => b.seek(bad as unknown as number), { instanceOf: TypeError, message: /^seek: offset/ });
  }
});

test("eos() is 1 at the end and null (not false) elsewhere", (t) => {
  const b = new Blob(2);
  t.is(b.eos(), null);
  t.not(b.eos(), false as unknown);
  b.readn("b");
  t.is(b.eos(), null);
  b.readn("b");
  t.is(b.eos(), 1);
  b.writen(1, "b");
  t.is(b.eos(), 1);
  b.seek(0);
  t.is(b.eos(), null);
});

test("tell() and len() follow reads and writes", (t) => {
  const b = new Blob();
  b.writen(1, "i");
  b.writen(1, "w");
  t.is(b.tell(), 6);
  t.is(b.len(), 6);
  b.seek(1);
  b.readn("s");
  t.is(b.tell(), 3);
  t.is(b.len(), 6);
});

// ---------------------------------------------------------------------------
// resize

test("resize(n) below len cuts the data and clamps the pointer", (t) => {
  const b = blobOf(1, 2, 3, 4, 5);
  b.seek(4);
  b.resize(2);
  t.is(b.len(), 2);
  t.is(b.tell(), 2);
  t.is(contents(b), "01 02");
  const c = blobOf(1, 2, 3, 4, 5);
  c.seek(1);
  c.resize(3);
  t.is(c.tell(), 1);
  c.resize(0);
  t.is(c.len(), 0);
  t.is(c.tell(), 0);
  t.is(c.eos(), 1);
});

test("resize(n) above len keeps len (capacity is not data)", (t) => {
  const b = blobOf(1, 2, 3);
  b.seek(1);
  b.resize(100);
  t.is(b.len(), 3);
  t.is(b.tell(), 1);
  t.is(contents(b), "01 02 03");
  t.throws(() => b.get(3), { instanceOf: RangeError });
  t.is(b.seek(4), -1);
});

test("after a cut, growing again shows no stale bytes", (t) => {
  const b = blobOf(1, 2, 3, 4);
  b.resize(2);
  b.resize(4);
  t.is(b.len(), 2);
  b.seek(0, "e");
  b.writen(9, "b");
  t.is(contents(b), "01 02 09");
  t.throws(() => b.get(3), { instanceOf: RangeError });
  b.writen(0x0a0b, "w");
  t.is(contents(b), "01 02 09 0b 0a");
});

test("the blob can grow past a resize", (t) => {
  const b = new Blob();
  b.resize(2);
  b.writen(0x01020304, "i");
  b.writen(0x05060708, "i");
  t.is(contents(b), "04 03 02 01 08 07 06 05");
});

test("resize validates n", (t) => {
  const b = blobOf(1, 2);
  t.throws(() => b.resize(-1), { instanceOf: RangeError, message: /^resize: size -1 is negative/ });
  t.throws(() => b.resize(MAX + 1), { instanceOf: RangeError, message: /^resize: .*maximum/ });
  t.throws(() => b.resize(1.5), { instanceOf: TypeError });
  t.throws(() => b.resize("3" as unknown as number), { instanceOf: TypeError });
  t.is(contents(b), "01 02");
  b.resize(MAX);
  t.is(b.len(), 2);
});

test("resize of a wrapped buffer to another size stops sharing it (documented)", (t) => {
  const ab = new ArrayBuffer(4);
  const b = new Blob(ab);
  b.resize(4); // same capacity: still shared
  t.is(b.bytes().buffer, ab);
  b.resize(8);
  t.not(b.bytes().buffer, ab);
  t.is(b.len(), 4);
});

// ---------------------------------------------------------------------------
// swap2 / swap4

test("swap2() swaps each full pair, leaves an odd tail and the pointer", (t) => {
  const b = blobOf(1, 2, 3, 4, 5);
  b.seek(3);
  b.swap2();
  t.is(contents(b), "02 01 04 03 05");
  t.is(b.tell(), 3);
  const even = blobOf(0xaa, 0xbb);
  even.swap2();
  t.is(contents(even), "bb aa");
  const one = blobOf(7);
  one.swap2();
  t.is(contents(one), "07");
  new Blob().swap2();
});

test("swap4() reverses each full group of 4, leaves 1-3 tail bytes and the pointer", (t) => {
  for (const [input, output] of [
    [[1, 2, 3, 4, 5, 6, 7, 8], "04 03 02 01 08 07 06 05"],
    [[1, 2, 3, 4, 5, 6, 7], "04 03 02 01 05 06 07"],
    [[1, 2, 3, 4, 5], "04 03 02 01 05"],
    [[1, 2, 3], "01 02 03"],
  ] as Array<[number[], string]>) {
    const b = blobOf(...input);
    b.seek(2);
    b.swap4();
    t.is(contents(b), output);
    t.is(b.tell(), 2);
  }
});

test("swap2/swap4 work on len(), not on spare capacity", (t) => {
  const b = blobOf(1, 2, 3);
  b.resize(8);
  b.swap2();
  b.swap4();
  t.is(contents(b), "02 01 03");
  t.is(b.len(), 3);
});

// ---------------------------------------------------------------------------
// tostring / flush / toString

test("tostring() returns all bytes whatever the pointer, without moving it", (t) => {
  const b = Blob.from(encodeText("h\u00e9llo"));
  b.seek(0, "e");
  t.is(b.tostring(), "h\u00e9llo");
  t.is(b.tell(), 6);
  b.seek(3);
  t.is(b.tostring(), "h\u00e9llo");
  t.is(b.tell(), 3);
  t.is(new Blob().tostring(), "");
  t.is(new Blob(2).tostring(), "\u0000\u0000");
  t.is(blobOf(0x41, 0xff, 0x42).tostring(), "A\udcffB");
});

test("flush() returns 1 and changes nothing", (t) => {
  const b = blobOf(1, 2);
  b.seek(1);
  t.is(b.flush(), 1);
  t.is(b.tell(), 1);
  t.is(contents(b), "01 02");
});

test("JavaScript toString() describes the blob, not its content", (t) => {
  const b = Blob.from(encodeText("abc"));
  t.is(b.toString(), "(blob : 3 bytes)");
  t.is(`${b}`, "(blob : 3 bytes)");
  t.is(String(new Blob()), "(blob : 0 bytes)");
});

// ---------------------------------------------------------------------------
// get / set (Squirrel b[i])

test("get(i) reads bytes 0..255 without moving the pointer", (t) => {
  const b = blobOf(0, 0x7f, 0x80, 0xff);
  b.seek(2);
  t.deepEqual([b.get(0), b.get(1), b.get(2), b.get(3)], [0, 127, 128, 255]);
  t.is(b.tell(), 2);
});

test("set(i, v) stores v & 0xFF, floats truncated, pointer and len unchanged", (t) => {
  const b = new Blob(6);
  b.seek(3);
  b.set(0, 0x1ff);
  b.set(1, -1);
  b.set(2, 3.9);
  b.set(3, -3.9);
  b.set(4, Number.NaN);
  b.set(5, 2 ** 40 + 0x42);
  t.is(contents(b), "ff ff 03 fd 00 42");
  t.is(b.tell(), 3);
  t.is(b.len(), 6);
});

test("get/set out of range throw 'index out of range' and never grow", (t) => {
  const b = blobOf(1, 2, 3, 4);
  for (const i of [-1, 4, 5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => b.get(i), { instanceOf: RangeError, message: /^get: index .* out of range \(len 4\)$/ }, String(i));
    t.throws(() => b.set(i, 1), { instanceOf: RangeError, message: /^set: index .* out of range/ }, String(i));
  }
  t.throws(() => b.get(5), { message: "get: index 5 out of range (len 4)" });
  t.throws(() => new Blob().get(0), { instanceOf: RangeError });
  t.is(b.len(), 4);
  t.is(contents(b), "01 02 03 04");
});

test("get/set with non-number index or value are TypeErrors", (t) => {
  const b = blobOf(1, 2);
  t.throws(() => b.get("1" as unknown as number), { instanceOf: TypeError });
  t.throws(() => b.set("1" as unknown as number, 1), { instanceOf: TypeError });
  t.throws(() => b.set(0, "A" as unknown as number), { instanceOf: TypeError, message: /^set: value 'A'/ });
  t.throws(() => b.set(0, true as unknown as number), { instanceOf: TypeError });
  t.throws(() => b.set(0, null as unknown as number), { instanceOf: TypeError });
  t.is(contents(b), "01 02");
});

// ---------------------------------------------------------------------------
// Iteration, bytes()

test("iterating a blob yields its bytes (foreach) without moving the pointer", (t) => {
  const b = blobOf(5, 0, 255);
  b.seek(1);
  t.deepEqual([...b], [5, 0, 255]);
  t.is(b.tell(), 1);
  t.deepEqual([...new Blob()], []);
  const seen: number[] = [];
  for (const byte of blobOf(1, 2)) seen.push(byte);
  t.deepEqual(seen, [1, 2]);
});

test("bytes() is a view of exactly len() bytes with no copy", (t) => {
  const ab = new ArrayBuffer(3);
  const wrapped = new Blob(ab);
  const v = wrapped.bytes();
  t.is(v.buffer, ab);
  t.is(v.length, 3);
  t.is(wrapped.bytes(), v); // the internal view itself when it is exactly len() long
  const grown = new Blob();
  grown.writestring("abc");
  const g = grown.bytes();
  t.is(g.length, 3);
  g[0] = 0x7a;
  t.is(grown.get(0), 0x7a); // a view, not a copy
  t.is(grown.bytes().buffer, g.buffer);
});

// ---------------------------------------------------------------------------
// Growth

test("growth is amortised (doubling), not per write", (t) => {
  const b = new Blob();
  const buffers = new Set<ArrayBufferLike>();
  for (let i = 0; i < 10000; i++) {
    b.writen(i, "b");
    buffers.add(b.bytes().buffer);
  }
  t.is(b.len(), 10000);
  t.true(buffers.size <= 12, `${buffers.size} reallocations`);
  t.is(b.get(9999), 9999 & 0xff);
});

test("growth stops at 512 KB, naming the method, with nothing written", (t) => {
  const b = new Blob(MAX - 1);
  b.seek(0, "e");
  b.writen(1, "b"); // exactly 512 KB is allowed
  t.is(b.len(), MAX);
  t.throws(() => b.writen(1, "b"), { instanceOf: RangeError, message: /^writen: .*524289.*maximum of 524288/ });
  t.throws(() => b.writestring("x"), { instanceOf: RangeError, message: /^writestring:/ });
  t.throws(() => b.writeblob(blobOf(1)), { instanceOf: RangeError, message: /^writeblob:/ });
  t.is(b.len(), MAX);
  t.is(b.tell(), MAX);
  b.seek(-2, "e");
  b.writestring("\u00e9"); // overwriting inside the limit is fine
  t.is(b.len(), MAX);
  t.throws(() => b.writestring("\u00e9\u00e9"), { instanceOf: RangeError });
  t.is(b.tell(), MAX);
  t.is(b.get(MAX - 2), 0xc3);
});

// ---------------------------------------------------------------------------
// Property: random operation sequences against a reference model

type Op =
  | { op: "writen"; value: unknown; code: BlobTypeCode }
  | { op: "readn"; code: BlobTypeCode }
  | { op: "writestring"; s: string }
  | { op: "readstring"; n: number }
  | { op: "writeblob"; bytes: number[]; ptr: number; self: boolean }
  | { op: "readblob"; n: number }
  | { op: "seek"; offset: number; origin: "b" | "c" | "e" | 98 | 99 | 101 }
  | { op: "resize"; n: number }
  | { op: "swap2" }
  | { op: "swap4" }
  | { op: "get"; i: number }
  | { op: "set"; i: number; v: number }
  | { op: "tostring" }
  | { op: "clone" };

const codes: BlobTypeCode[] = ["c", "b", "s", "w", "i", "l", "f", "d", 99, 98, 115, 119, 105, 108, 102, 100];
const WIDTH: Record<string, number> = { c: 1, b: 1, s: 2, w: 2, i: 4, l: 4, f: 4, d: 8 };
const letter = (code: string | number): string => (typeof code === "number" ? String.fromCharCode(code) : code);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("writen" as const),
    value: fc.oneof(
      fc.integer({ min: -300, max: 300 }),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, 0.5, -0.5),
      fc.constantFrom<unknown>("s", null, true, undefined, {}),
    ),
    code: fc.constantFrom(...codes),
  }),
  fc.record({ op: fc.constant("readn" as const), code: fc.constantFrom(...codes) }),
  fc.record({
    op: fc.constant("writestring" as const),
    s: fc.string({ unit: fc.constantFrom("a", "Z", "\u00e9", "\u20ac", "\ud83d\ude00", "\udc80", "\udcff", "\ud800", "\u0000"), maxLength: 12 }),
  }),
  fc.record({ op: fc.constant("readstring" as const), n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({
    op: fc.constant("writeblob" as const),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }),
    ptr: fc.nat(12),
    self: fc.boolean(),
  }),
  fc.record({ op: fc.constant("readblob" as const), n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({
    op: fc.constant("seek" as const),
    offset: fc.integer({ min: -20, max: 20 }),
    origin: fc.constantFrom("b" as const, "c" as const, "e" as const, 98 as const, 99 as const, 101 as const),
  }),
  fc.record({ op: fc.constant("resize" as const), n: fc.integer({ min: 0, max: 40 }) }),
  fc.constant({ op: "swap2" as const }),
  fc.constant({ op: "swap4" as const }),
  fc.record({ op: fc.constant("get" as const), i: fc.integer({ min: -2, max: 40 }) }),
  fc.record({ op: fc.constant("set" as const), i: fc.integer({ min: -2, max: 40 }), v: fc.integer({ min: -1000, max: 1000 }) }),
  fc.constant({ op: "tostring" as const }),
  fc.constant({ op: "clone" as const }),
);

/** The reference: a plain array of numbers and a pointer, with the rules of spec §8 written out plainly. */
class Model {
  data: number[] = [];
  pos = 0;

  write(bytes: number[]): void {
    for (let k = 0; k < bytes.length; k++) this.data[this.pos + k] = bytes[k];
    this.pos += bytes.length;
  }

  encodeNumber(value: unknown, type: string): number[] {
    const width = WIDTH[type];
    if (typeof value !== "number") return new Array<number>(width).fill(0);
    const dv = new DataView(new ArrayBuffer(8));
    if (type === "f") dv.setFloat32(0, value, true);
    else if (type === "d") dv.setFloat64(0, Math.fround(value), true);
    else dv.setInt32(0, Math.trunc(value) | 0, true);
    return Array.from(new Uint8Array(dv.buffer, 0, width));
  }

  decodeNumber(type: string): number {
    const dv = new DataView(Uint8Array.from(this.data.slice(this.pos, this.pos + WIDTH[type])).buffer);
    switch (type) {
      case "c":
        return dv.getInt8(0);
      case "b":
        return dv.getUint8(0);
      case "s":
        return dv.getInt16(0, true);
      case "w":
        return dv.getUint16(0, true);
      case "f":
        return dv.getFloat32(0, true);
      case "d":
        return Math.fround(dv.getFloat64(0, true));
      default:
        return dv.getInt32(0, true);
    }
  }
}

function outcome(f: () => unknown): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Blob && b instanceof Blob) return hex(a.bytes()) === hex(b.bytes()) && a.tell() === b.tell();
  return Object.is(a, b);
}

function check(blob: Blob, model: Model, op: Op): void {
  const m = model;
  let expected: { ok: true; value: unknown } | { ok: false; error: unknown };
  const actual = outcome(() => {
    switch (op.op) {
      case "writen":
        return blob.writen(op.value, op.code);
      case "readn":
        return blob.readn(op.code);
      case "writestring":
        return blob.writestring(op.s);
      case "readstring":
        return blob.readstring(op.n);
      case "writeblob": {
        const src = op.self ? blob : Blob.from(Uint8Array.from(op.bytes));
        if (!op.self) src.seek(Math.min(op.ptr, src.len()));
        return blob.writeblob(src);
      }
      case "readblob":
        return blob.readblob(op.n);
      case "seek":
        return blob.seek(op.offset, op.origin);
      case "resize":
        return blob.resize(op.n);
      case "swap2":
        return blob.swap2();
      case "swap4":
        return blob.swap4();
      case "get":
        return blob.get(op.i);
      case "set":
        return blob.set(op.i, op.v);
      case "tostring":
        return blob.tostring();
      case "clone":
        return blob.clone();
    }
  });
  switch (op.op) {
    case "writen": {
      const bytes = m.encodeNumber(op.value, letter(op.code));
      m.write(bytes);
      expected = { ok: true, value: undefined };
      break;
    }
    case "readn": {
      const type = letter(op.code);
      if (m.data.length - m.pos < WIDTH[type]) expected = { ok: false, error: "io error" };
      else {
        expected = { ok: true, value: m.decodeNumber(type) };
        m.pos += WIDTH[type];
      }
      break;
    }
    case "writestring":
      m.write(Array.from(encodeText(op.s)));
      expected = { ok: true, value: undefined };
      break;
    case "readstring": {
      const k = Math.min(op.n, m.data.length - m.pos);
      expected = { ok: true, value: decodeText(Uint8Array.from(m.data.slice(m.pos, m.pos + k))) };
      m.pos += k;
      break;
    }
    case "writeblob": {
      const bytes = op.self ? m.data.slice() : op.bytes;
      m.write(bytes);
      expected = { ok: true, value: bytes.length };
      break;
    }
    case "readblob": {
      const k = Math.min(op.n, m.data.length - m.pos);
      if (k === 0) expected = { ok: false, error: "no data left to read" };
      else {
        expected = { ok: true, value: Blob.from(Uint8Array.from(m.data.slice(m.pos, m.pos + k))) };
        m.pos += k;
      }
      break;
    }
    case "seek": {
      const o = letter(op.origin);
      const target = (o === "b" ? 0 : o === "c" ? m.pos : m.data.length) + op.offset;
      if (target < 0 || target > m.data.length) expected = { ok: true, value: -1 };
      else {
        m.pos = target;
        expected = { ok: true, value: 0 };
      }
      break;
    }
    case "resize":
      if (op.n < m.data.length) m.data.length = op.n;
      if (m.pos > m.data.length) m.pos = m.data.length;
      expected = { ok: true, value: undefined };
      break;
    case "swap2":
      for (let k = 0; k + 1 < m.data.length; k += 2) [m.data[k], m.data[k + 1]] = [m.data[k + 1], m.data[k]];
      expected = { ok: true, value: undefined };
      break;
    case "swap4":
      for (let k = 0; k + 3 < m.data.length; k += 4) m.data.splice(k, 4, ...m.data.slice(k, k + 4).reverse());
      expected = { ok: true, value: undefined };
      break;
    case "get":
      expected = op.i >= 0 && op.i < m.data.length ? { ok: true, value: m.data[op.i] } : { ok: false, error: "out of range" };
      break;
    case "set":
      if (op.i >= 0 && op.i < m.data.length) {
        m.data[op.i] = op.v & 0xff;
        expected = { ok: true, value: undefined };
      } else expected = { ok: false, error: "out of range" };
      break;
    case "tostring":
      expected = { ok: true, value: decodeText(Uint8Array.from(m.data)) };
      break;
    case "clone":
      expected = { ok: true, value: Blob.from(Uint8Array.from(m.data)) };
      break;
  }
  const where = JSON.stringify(op);
  if (expected.ok !== actual.ok) {
    throw new Error(`${where}: expected ${expected.ok ? "success" : "error"}, got ${actual.ok ? "success" : String((actual as { error: unknown }).error)}`);
  }
  if (expected.ok && actual.ok && !same(actual.value, expected.value)) {
    throw new Error(`${where}: expected ${String(expected.value)}, got ${String(actual.value)}`);
  }
  if (!expected.ok && !actual.ok && !String(actual.error).includes(String(expected.error))) {
    throw new Error(`${where}: expected an error with "${String(expected.error)}", got ${String(actual.error)}`);
  }
  if (blob.len() !== m.data.length || blob.tell() !== m.pos) {
    throw new Error(`${where}: len/tell ${blob.len()}/${blob.tell()}, model ${m.data.length}/${m.pos}`);
  }
  if (hex(blob.bytes()) !== hex(m.data)) throw new Error(`${where}: bytes ${hex(blob.bytes())}, model ${hex(m.data)}`);
  if (blob.eos() !== (m.pos === m.data.length ? 1 : null)) throw new Error(`${where}: eos`);
}

test("property: random operation sequences match the reference model", (t) => {
  fc.assert(
    fc.property(fc.nat(24), fc.array(opArb, { maxLength: 40 }), (initial, ops) => {
      const blob = new Blob(initial);
      const model = new Model();
      model.data = new Array<number>(initial).fill(0);
      for (const op of ops) check(blob, model, op);
    }),
    { seed: SEED, numRuns: 2000 },
  );
  t.pass();
});

test("property: the model also holds for blobs wrapping an ArrayBuffer", (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }), fc.array(opArb, { maxLength: 30 }), (initial, ops) => {
      const blob = new Blob(Uint8Array.from(initial).buffer);
      const model = new Model();
      model.data = initial.slice();
      for (const op of ops) check(blob, model, op);
    }),
    { seed: SEED + 1, numRuns: 500 },
  );
  t.pass();
});
