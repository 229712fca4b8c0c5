import test from "ava";
import fc from "fast-check";
import { decodeText, encodedLength, encodeText, encodeTextInto } from "../../modules/impnet/core/text";

const SEED = 20261129;

const hex = (bytes: ArrayLike<number>): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const units = (s: string): string =>
  Array.from({ length: s.length }, (_, i) => s.charCodeAt(i).toString(16).padStart(4, "0")).join(" ");
const decodeAll = (bytes: Uint8Array): string => decodeText(bytes, 0, bytes.length);

// ---------------------------------------------------------------------------
// Reference oracles, built on Node's own UTF-8 codec (independent of text.ts).

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** surrogateescape decoding: the shortest well-formed sequence at i, else escape one byte. */
function referenceDecode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    let taken = 0;
    if (bytes[i] < 0x80) {
      out += String.fromCharCode(bytes[i]);
      taken = 1;
    } else {
      for (let n = 2; n <= 4 && i + n <= bytes.length && taken === 0; n++) {
        try {
          const s = fatal.decode(bytes.subarray(i, i + n));
          if ([...s].length === 1) {
            out += s;
            taken = n;
          }
        } catch {
          // not a well-formed sequence of n bytes
        }
      }
      if (taken === 0) {
        out += String.fromCharCode(0xdc00 + bytes[i]);
        taken = 1;
      }
    }
    i += taken;
  }
  return out;
}

/** UTF-8 via Buffer; lone U+DC80..U+DCFF -> one byte; other lone surrogates -> EF BF BD. */
function referenceEncode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : -1;
    if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      out.push(...Buffer.from(s.slice(i, i + 2), "utf8"));
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      out.push(c - 0xdc00);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out.push(0xef, 0xbf, 0xbd);
    } else {
      out.push(...Buffer.from(s[i], "utf8"));
    }
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------
// Generators

/** Any UTF-16 string, lone surrogates included, biased towards the interesting units. */
const anyString = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
      fc.constantFrom("a", "\u00e9", "\u20ac", "\ud83d\ude00", "\udc80", "\udcff", "\udc7f", "\ud800", "\udbff", "\udfff"),
    ),
    maxLength,
  });

/** Byte sequences mixing well-formed UTF-8, ASCII runs, random bytes and classic ill-formed sequences. */
const mixedBytes = (maxPieces: number) =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 8 }).map((s) => Buffer.from(s, "utf8")),
        fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map((s) => Buffer.from(s, "utf8")),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        fc.constantFrom(
          [0xc0, 0x80], // overlong NUL
          [0xc1, 0xbf], // overlong
          [0xe0, 0x80, 0x80], // overlong 3-byte
          [0xe0, 0x9f, 0xbf], // overlong 3-byte
          [0xed, 0xa0, 0x80], // encoded surrogate U+D800
          [0xed, 0xbf, 0xbf], // encoded surrogate U+DFFF
          [0xf0, 0x8f, 0xbf, 0xbf], // overlong 4-byte
          [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
          [0xf5, 0x80, 0x80, 0x80], // invalid lead
          [0xe2, 0x82], // truncated
          [0xf0, 0x9f, 0x98], // truncated
          [0x80],
          [0xbf],
          [0xff],
          [0xfe],
        ).map((a) => Uint8Array.from(a)),
      ),
      { maxLength: maxPieces },
    )
    .map((parts) => Uint8Array.from(Buffer.concat(parts)));

// ---------------------------------------------------------------------------
// Known vectors

const wellFormed: Array<[string, number[]]> = [
  ["", []],
  ["hello", [0x68, 0x65, 0x6c, 0x6c, 0x6f]],
  ["\u0000\u007f", [0x00, 0x7f]],
  ["\u0080", [0xc2, 0x80]],
  ["\u00e9", [0xc3, 0xa9]],
  ["\u07ff", [0xdf, 0xbf]],
  ["\u0800", [0xe0, 0xa0, 0x80]],
  ["\u20ac", [0xe2, 0x82, 0xac]],
  ["\ud7ff", [0xed, 0x9f, 0xbf]],
  ["\ue000", [0xee, 0x80, 0x80]],
  ["\ufeff", [0xef, 0xbb, 0xbf]],
  ["\uffff", [0xef, 0xbf, 0xbf]],
  ["\ud800\udc00", [0xf0, 0x90, 0x80, 0x80]],
  ["\ud83d\ude00", [0xf0, 0x9f, 0x98, 0x80]],
  ["\udbff\udfff", [0xf4, 0x8f, 0xbf, 0xbf]],
  ["a\u00e9\u20ac\ud83d\ude00z", [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0x7a]],
];

for (const [s, bytes] of wellFormed) {
  test(`vector: ${JSON.stringify(s)} <-> [${hex(bytes)}]`, (t) => {
    t.is(hex(encodeText(s)), hex(bytes));
    t.is(encodedLength(s), bytes.length);
    t.is(units(decodeAll(Uint8Array.from(bytes))), units(s));
  });
}

const illFormed: Array<[string, number[], string]> = [
  ["lone continuation", [0x80], "\udc80"],
  ["byte 0xFF", [0xff], "\udcff"],
  ["overlong NUL C0 80", [0xc0, 0x80], "\udcc0\udc80"],
  ["overlong C1 BF", [0xc1, 0xbf], "\udcc1\udcbf"],
  ["overlong 3-byte E0 80 80", [0xe0, 0x80, 0x80], "\udce0\udc80\udc80"],
  ["overlong 3-byte E0 9F BF", [0xe0, 0x9f, 0xbf], "\udce0\udc9f\udcbf"],
  ["overlong 4-byte F0 8F BF BF", [0xf0, 0x8f, 0xbf, 0xbf], "\udcf0\udc8f\udcbf\udcbf"],
  ["UTF-8 surrogate ED A0 80", [0xed, 0xa0, 0x80], "\udced\udca0\udc80"],
  ["UTF-8 surrogate ED BF BF", [0xed, 0xbf, 0xbf], "\udced\udcbf\udcbf"],
  ["above U+10FFFF F4 90 80 80", [0xf4, 0x90, 0x80, 0x80], "\udcf4\udc90\udc80\udc80"],
  ["lead F5", [0xf5, 0x80, 0x80, 0x80], "\udcf5\udc80\udc80\udc80"],
  ["truncated at end E2 82", [0xe2, 0x82], "\udce2\udc82"],
  ["truncated before ASCII E2 41", [0xe2, 0x41], "\udce2A"],
  ["truncated 4-byte then valid", [0xf0, 0x9f, 0x98, 0xc3, 0xa9], "\udcf0\udc9f\udc98\u00e9"],
  ["valid after junk", [0xff, 0xe2, 0x82, 0xac], "\udcff\u20ac"],
];

for (const [name, bytes, expected] of illFormed) {
  test(`ill-formed: ${name} decodes to escapes and back`, (t) => {
    const s = decodeAll(Uint8Array.from(bytes));
    t.is(units(s), units(expected));
    t.is(hex(encodeText(s)), hex(bytes));
  });
}

test("lone surrogates: U+DC80..U+DCFF encode to the byte they stand for", (t) => {
  for (let b = 0x80; b <= 0xff; b++) {
    t.is(hex(encodeText(String.fromCharCode(0xdc00 + b))), hex([b]));
  }
  t.is(encodedLength("\udc80\udcff"), 2);
});

test("lone surrogates: any other lone surrogate encodes as EF BF BD", (t) => {
  for (const s of ["\ud800", "\udbff", "\udc00", "\udc7f", "\udd00", "\udfff", "\ud83dx", "\ude00\ud83d"]) {
    const expected = referenceEncode(s);
    t.is(hex(encodeText(s)), hex(expected), units(s));
    t.is(encodedLength(s), expected.length);
  }
  t.is(hex(encodeText("\ud800")), "ef bf bd");
  t.is(hex(encodeText("\ude00\ud83d")), "ef bf bd ef bf bd");
  t.is(hex(encodeText("a\ud83d")), "61 ef bf bd");
});

test("decodeText honours start and end, and defaults to the whole array", (t) => {
  const bytes = Uint8Array.from([0x61, 0xc3, 0xa9, 0x62, 0x63]);
  t.is(decodeText(bytes, 1, 3), "\u00e9");
  t.is(decodeText(bytes, 2, 4), "\udca9b");
  t.is(decodeText(bytes, 3, 3), "");
  t.is(decodeText(bytes), "a\u00e9bc");
  t.is(decodeText(bytes, 3), "bc");
  // a subarray view: indexes are relative to the view
  t.is(decodeText(bytes.subarray(1), 0, 2), "\u00e9");
});

test("decodeText rejects bad ranges", (t) => {
  const bytes = new Uint8Array(4);
  t.throws(() => decodeText(bytes, -1, 2), { instanceOf: RangeError });
  t.throws(() => decodeText(bytes, 3, 2), { instanceOf: RangeError });
  t.throws(() => decodeText(bytes, 0, 5), { instanceOf: RangeError });
  t.throws(() => decodeText(bytes, 0.5, 2), { instanceOf: TypeError });
  t.throws(() => decodeText(bytes, 0, Number.NaN), { instanceOf: TypeError });
});

test("encodeTextInto writes at the offset and returns the byte count", (t) => {
  const target = new Uint8Array(8).fill(0xee);
  t.is(encodeTextInto("a\u00e9", target, 2), 3);
  t.is(hex(target), "ee ee 61 c3 a9 ee ee ee");
  t.is(encodeTextInto("", target, 8), 0);
  t.is(encodeTextInto("\ud83d\ude00", target, 4), 4); // exact fit
  t.is(hex(target), "ee ee 61 c3 f0 9f 98 80");
});

test("encodeTextInto throws without writing when the text does not fit", (t) => {
  const target = new Uint8Array(4);
  t.throws(() => encodeTextInto("abc\u00e9", target, 0), { instanceOf: RangeError, message: /needs 5 bytes/ });
  t.is(hex(target), "00 00 00 00");
  t.throws(() => encodeTextInto("a", target, 5), { instanceOf: RangeError });
  t.throws(() => encodeTextInto("a", target, -1), { instanceOf: RangeError });
  t.throws(() => encodeTextInto("a", target, 1.5), { instanceOf: RangeError });
});

test("non-string input is a TypeError", (t) => {
  t.throws(() => encodeText(5 as unknown as string), { instanceOf: TypeError });
  t.throws(() => encodedLength(null as unknown as string), { instanceOf: TypeError });
  t.throws(() => encodeTextInto({} as unknown as string, new Uint8Array(4), 0), { instanceOf: TypeError });
});

// Piece boundaries: the decoder builds strings in pieces of 64 code units; the
// encoder reads slices of 32 code units cut from slices of 2048.
test("surrogate pairs and multi-byte sequences straddling every piece boundary", (t) => {
  const boundaries = [31, 32, 33, 63, 64, 65, 2047, 2048, 2049, 4095, 4096];
  for (const at of boundaries) {
    for (const shift of [-2, -1, 0, 1]) {
      const s = "x".repeat(at + shift) + "\ud83d\ude00" + "y".repeat(70) + "\u00e9\u20ac" + "z".repeat(40);
      const bytes = encodeText(s);
      t.is(hex(bytes), hex(Buffer.from(s, "utf8")), `encode at ${at}${shift}`);
      t.is(encodedLength(s), bytes.length);
      t.is(decodeAll(bytes), s, `decode at ${at}${shift}`);
      // a lone high surrogate at the boundary, followed by another high one
      const lone = "x".repeat(at + shift) + "\ud83d\ud83d\ude00" + "q".repeat(40);
      t.is(hex(encodeText(lone)), hex(referenceEncode(lone)), `lone at ${at}${shift}`);
      // escaped bytes at the boundary
      const junk = Uint8Array.from([...Buffer.from("x".repeat(at + shift)), 0xf0, 0x9f, 0x98, 0xff, 0x41]);
      t.is(hex(encodeText(decodeAll(junk))), hex(junk));
    }
  }
});

test("long strings (beyond one outer slice) encode and decode linearly and exactly", (t) => {
  const s = "ab\u00e9\u4e2d\ud83d\ude00".repeat(3000); // 18000 code units
  const bytes = encodeText(s);
  t.is(hex(bytes.subarray(0, 64)), hex(Buffer.from(s, "utf8").subarray(0, 64)));
  t.true(Buffer.from(s, "utf8").equals(bytes));
  t.is(decodeAll(bytes), s);
  const ascii = "0123456789".repeat(7000);
  t.is(decodeAll(encodeText(ascii)), ascii);
});

// ---------------------------------------------------------------------------
// Properties

test("property: bytes -> string -> bytes is the identity (random bytes)", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const s = decodeAll(bytes);
      const back = encodeText(s);
      return hex(back) === hex(bytes) && encodedLength(s) === bytes.length;
    }),
    { seed: SEED, numRuns: 2000 },
  );
  t.pass();
});

test("property: bytes -> string -> bytes is the identity (mixed valid and ill-formed UTF-8)", (t) => {
  fc.assert(
    fc.property(mixedBytes(60), (bytes) => hex(encodeText(decodeAll(bytes))) === hex(bytes)),
    { seed: SEED, numRuns: 2000 },
  );
  t.pass();
});

test("property: decoding matches the surrogateescape reference", (t) => {
  fc.assert(
    fc.property(mixedBytes(40), (bytes) => units(decodeAll(bytes)) === units(referenceDecode(bytes))),
    { seed: SEED, numRuns: 1000 },
  );
  t.pass();
});

test("property: decoding well-formed UTF-8 matches a strict UTF-8 decoder", (t) => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
      const bytes = Buffer.from(s, "utf8");
      return decodeAll(bytes) === fatal.decode(bytes);
    }),
    { seed: SEED, numRuns: 1000 },
  );
  t.pass();
});

test("property: string -> bytes -> string is the identity for well-formed strings", (t) => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => {
      const bytes = encodeText(s);
      return decodeAll(bytes) === s && Buffer.from(s, "utf8").equals(bytes) && encodedLength(s) === bytes.length;
    }),
    { seed: SEED, numRuns: 2000 },
  );
  t.pass();
});

test("property: any UTF-16 string encodes like the reference, encodedLength agrees", (t) => {
  fc.assert(
    fc.property(anyString(200), (s) => {
      const bytes = encodeText(s);
      const target = new Uint8Array(bytes.length + 3);
      const written = encodeTextInto(s, target, 3);
      return (
        hex(bytes) === hex(referenceEncode(s)) &&
        encodedLength(s) === bytes.length &&
        written === bytes.length &&
        hex(target.subarray(3)) === hex(bytes)
      );
    }),
    { seed: SEED, numRuns: 2000 },
  );
  t.pass();
});

test("property: long inputs across piece boundaries round-trip both ways", (t) => {
  fc.assert(
    fc.property(mixedBytes(400), fc.string({ unit: "binary", minLength: 100, maxLength: 3000 }), (bytes, s) => {
      return hex(encodeText(decodeAll(bytes))) === hex(bytes) && decodeAll(encodeText(s)) === s;
    }),
    { seed: SEED, numRuns: 100 },
  );
  t.pass();
});
