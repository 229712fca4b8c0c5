/*
 * Test app: the behaviour of the XS additions the simulator's firmware
 * provides (hosts/sim/xs/globals), checked inside XS against values worked
 * out from ECMA-262 and Moddable's XS sources. Prints "PASS name" or
 * "FAIL name: ..." per check, then "checks done N" (tests/sim/environment.test.ts).
 */
let count = 0;

function show(value) {
  if (typeof value === "bigint") return `${value}n`;
  if (Object.is(value, -0)) return "-0";
  if (value instanceof Set || value instanceof Map) return `${value.constructor.name}(${show([...value])})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}[${[...value].map(show).join(",")}]`;
  if (Array.isArray(value)) return `[${value.map(show).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const proto = Object.getPrototypeOf(value) === null ? "null-proto " : "";
    return `${proto}{${Object.keys(value).map((k) => `${k}:${show(value[k])}`).join(",")}}`;
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function check(name, run, expected) {
  count++;
  let actual;
  try {
    actual = run();
  } catch (error) {
    actual = `threw ${error?.constructor?.name}`;
  }
  const a = show(actual);
  const e = show(expected);
  trace(a === e ? `PASS ${name}\n` : `FAIL ${name}: got ${a}, expected ${e}\n`);
}

async function checkAsync(name, run, expected) {
  count++;
  let actual;
  try {
    actual = await run();
  } catch (error) {
    actual = `rejected ${error?.constructor?.name}${error === "reason" ? " reason" : ""}`;
  }
  const a = show(actual);
  const e = show(expected);
  trace(a === e ? `PASS ${name}\n` : `FAIL ${name}: got ${a}, expected ${e}\n`);
}

const bytes = (buffer) => [...new Uint8Array(buffer)];

// The checks run in an async function: the simulator bundles apps as scripts, without top-level await.
async function main() {
  // ---- Moddable's own (xsString.c, xsDataView.c, xsMath.c)
  check("fromString UTF-8", () => bytes(ArrayBuffer.fromString("é€")), [0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  check("fromString astral", () => bytes(ArrayBuffer.fromString("😀")), [0xf0, 0x9f, 0x98, 0x80]);
  check("fromString NUL", () => bytes(ArrayBuffer.fromString("a\0b")), [0x61, 0, 0x62]);
  check("fromString lone surrogate", () => bytes(ArrayBuffer.fromString("\uD800")), [0xed, 0xa0, 0x80]);
  check("fromString ToString", () => bytes(ArrayBuffer.fromString(12)), [0x31, 0x32]);
  check("fromString no argument", () => ArrayBuffer.fromString(), "threw TypeError");
  check("fromString is an ArrayBuffer", () => ArrayBuffer.fromString("x") instanceof ArrayBuffer, true);
  check("fromArrayBuffer round trip", () => String.fromArrayBuffer(ArrayBuffer.fromString("héllo € 😀 \0 end")), "héllo € 😀 \0 end");
  check("fromArrayBuffer offset", () => String.fromArrayBuffer(Uint8Array.of(0x41, 0x42, 0x43).buffer, 1), "BC");
  check("fromArrayBuffer offset and length", () => String.fromArrayBuffer(Uint8Array.of(0x41, 0x42, 0x43).buffer, 1, 1), "B");
  check("fromArrayBuffer empty", () => String.fromArrayBuffer(new ArrayBuffer(0)), "");
  check("fromArrayBuffer invalid UTF-8", () => String.fromArrayBuffer(Uint8Array.of(0x41, 0xff).buffer), "threw TypeError");
  check("fromArrayBuffer truncated sequence", () => String.fromArrayBuffer(Uint8Array.of(0xe2, 0x82).buffer), "threw TypeError");
  check("fromArrayBuffer typed array refused", () => String.fromArrayBuffer(Uint8Array.of(0x41)), "threw TypeError");
  check("fromArrayBuffer offset past end", () => String.fromArrayBuffer(new ArrayBuffer(3), 4), "threw RangeError");
  check("fromArrayBuffer length past end", () => String.fromArrayBuffer(new ArrayBuffer(3), 1, 3), "threw RangeError");
  check("fromArrayBuffer no argument", () => String.fromArrayBuffer(), "threw TypeError");
  check("irandom(10) range", () => {
    for (let i = 0; i < 200; i++) {
      const n = Math.irandom(10);
      if (!Number.isInteger(n) || n < 0 || n >= 10) return n;
    }
    return "ok";
  }, "ok");
  check("irandom(5, 8) range", () => {
    for (let i = 0; i < 200; i++) {
      const n = Math.irandom(5, 8);
      if (!Number.isInteger(n) || n < 5 || n >= 8) return n;
    }
    return "ok";
  }, "ok");
  check("irandom() range", () => {
    const n = Math.irandom();
    return Number.isInteger(n) && n >= 0 && n < 2147483647;
  }, true);

  // ---- Promise
  await checkAsync("withResolvers resolve", async () => {
    const { promise, resolve } = Promise.withResolvers();
    resolve(42);
    return promise;
  }, 42);
  await checkAsync("withResolvers reject", async () => {
    const { promise, reject } = Promise.withResolvers();
    reject("reason");
    return promise;
  }, "rejected String reason");
  check("withResolvers shape", () => Object.keys(Promise.withResolvers()), ["promise", "resolve", "reject"]);
  check("withResolvers needs a constructor", () => Promise.withResolvers.call({}), "threw TypeError");
  await checkAsync("try value", () => Promise.try(() => 3), 3);
  await checkAsync("try arguments", () => Promise.try((a, b) => a + b, 1, 2), 3);
  await checkAsync("try throw", () => Promise.try(() => {
    throw new RangeError("x");
  }), "rejected RangeError");
  check("try returns a promise synchronously", () => Promise.try(() => 1) instanceof Promise, true);

  // ---- arrays
  const source = [3, 1, 2];
  check("toSorted", () => source.toSorted(), [1, 2, 3]);
  check("toSorted comparefn", () => source.toSorted((a, b) => b - a), [3, 2, 1]);
  check("toSorted leaves the source", () => source, [3, 1, 2]);
  check("toSorted bad comparefn", () => source.toSorted(1), "threw TypeError");
  check("toReversed", () => source.toReversed(), [2, 1, 3]);
  check("toSpliced", () => source.toSpliced(1, 1, "x", "y"), [3, "x", "y", 2]);
  check("toSpliced start only", () => source.toSpliced(1), [3]);
  check("toSpliced no arguments", () => source.toSpliced(), [3, 1, 2]);
  check("with", () => source.with(-1, 9), [3, 1, 9]);
  check("with out of range", () => source.with(3, 9), "threw RangeError");
  check("array-like toReversed", () => Array.prototype.toReversed.call({ length: 2, 0: "a", 1: "b" }), ["b", "a"]);
  check("unscopables", () => ["toReversed", "toSorted", "toSpliced"].map((k) => Array.prototype[Symbol.unscopables][k]), [true, true, true]);
  check("typed toSorted", () => Uint8Array.of(3, 1, 2).toSorted(), Uint8Array.of(1, 2, 3));
  check("typed toReversed", () => Int16Array.of(1, -2).toReversed(), Int16Array.of(-2, 1));
  check("typed with", () => Uint8Array.of(1, 2).with(0, 300), Uint8Array.of(44, 2));
  check("typed with BigInt needs a BigInt", () => BigInt64Array.of(1n).with(0, 1), "threw TypeError");
  check("typed with range", () => Uint8Array.of(1).with(1, 0), "threw RangeError");
  await checkAsync("fromAsync values and promises", () => Array.fromAsync([Promise.resolve(1), 2]), [1, 2]);
  await checkAsync("fromAsync async generator with mapfn", () => Array.fromAsync((async function* () {
    yield 1;
    yield 2;
  })(), (x, i) => x * 10 + i), [10, 21]);
  await checkAsync("fromAsync array-like", () => Array.fromAsync({ length: 2, 0: "a", 1: Promise.resolve("b") }), ["a", "b"]);
  await checkAsync("fromAsync bad mapfn rejects", () => Array.fromAsync([], 1), "rejected TypeError");

  // ---- collections
  check("Object.groupBy", () => Object.groupBy([1, 2, 3, 4], (x) => (x % 2 ? "odd" : "even")), Object.setPrototypeOf({ odd: [1, 3], even: [2, 4] }, null));
  check("Map.groupBy", () => Map.groupBy([1, 2, 3], (x) => x > 1), new Map([[false, [1]], [true, [2, 3]]]));
  check("Map.groupBy -0", () => [...Map.groupBy([1], () => -0).keys()].map((k) => Object.is(k, -0)), [false]);
  const a = new Set([1, 2, 3]);
  const b = new Set([3, 4]);
  check("union", () => a.union(b), new Set([1, 2, 3, 4]));
  check("intersection", () => a.intersection(b), new Set([3]));
  check("difference", () => a.difference(b), new Set([1, 2]));
  check("symmetricDifference", () => a.symmetricDifference(b), new Set([1, 2, 4]));
  check("isSubsetOf", () => [new Set([1]).isSubsetOf(a), b.isSubsetOf(a)], [true, false]);
  check("isSupersetOf", () => [a.isSupersetOf(new Set([2, 3])), a.isSupersetOf(b)], [true, false]);
  check("isDisjointFrom", () => [a.isDisjointFrom(new Set([7])), a.isDisjointFrom(b)], [true, false]);
  const setLike = { size: 2, has: (x) => x === 1 || x === 9, keys: () => [1, 9][Symbol.iterator]() };
  check("union with a set-like", () => a.union(setLike), new Set([1, 2, 3, 9]));
  check("set-like without size", () => a.union({ has() {}, keys() {} }), "threw TypeError");
  check("set-like negative size", () => a.union({ size: -1, has() {}, keys() {} }), "threw RangeError");
  check("Set method on a non-Set", () => Set.prototype.union.call([], a), "threw TypeError");
  check("Map getOrInsert", () => {
    const m = new Map([["a", 1]]);
    return [m.getOrInsert("a", 2), m.getOrInsert("b", 3), [...m]];
  }, [1, 3, [["a", 1], ["b", 3]]]);
  check("Map getOrInsertComputed", () => {
    const m = new Map();
    let calls = 0;
    const f = (k) => {
      calls++;
      return `${k}!`;
    };
    return [m.getOrInsertComputed("k", f), m.getOrInsertComputed("k", f), calls];
  }, ["k!", "k!", 1]);
  check("Map getOrInsertComputed needs a function", () => new Map().getOrInsertComputed("k", 1), "threw TypeError");
  check("WeakMap getOrInsert", () => {
    const key = {};
    const m = new WeakMap();
    return [m.getOrInsert(key, 1), m.getOrInsert(key, 2)];
  }, [1, 1]);
  check("WeakMap getOrInsert primitive key", () => new WeakMap().getOrInsert(1, 1), "threw TypeError");

  // ---- iterators
  check("Iterator is a function", () => typeof Iterator, "function");
  check("Iterator.prototype", () => Iterator.prototype === Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())), true);
  check("new Iterator()", () => new Iterator(), "threw TypeError");
  check("subclass", () => {
    class Counter extends Iterator {
      n = 0;
      next() {
        return this.n < 3 ? { value: this.n++, done: false } : { value: undefined, done: true };
      }
    }
    return new Counter().map((x) => x * 2).toArray();
  }, [0, 2, 4]);
  check("from + map + toArray", () => Iterator.from([1, 2, 3]).map((x) => x * 2).toArray(), [2, 4, 6]);
  check("filter", () => [1, 2, 3, 4].values().filter((x) => x % 2 === 0).toArray(), [2, 4]);
  check("take and drop", () => [1, 2, 3, 4, 5].values().drop(1).take(2).toArray(), [2, 3]);
  check("flatMap", () => [1, 2].values().flatMap((x) => [x, x * 10]).toArray(), [1, 10, 2, 20]);
  check("flatMap refuses strings", () => [1].values().flatMap(() => "ab").toArray(), "threw TypeError");
  check("reduce", () => [1, 2, 3].values().reduce((s, x) => s + x), 6);
  check("reduce with initial", () => [1, 2, 3].values().reduce((s, x) => s + x, 10), 16);
  check("reduce empty", () => [].values().reduce((s, x) => s + x), "threw TypeError");
  check("some every find", () => {
    const it = () => [1, 2, 3].values();
    return [it().some((x) => x > 2), it().every((x) => x > 2), it().find((x) => x > 1)];
  }, [true, false, 2]);
  check("forEach", () => {
    const seen = [];
    [5, 6].values().forEach((x, i) => seen.push([x, i]));
    return seen;
  }, [[5, 0], [6, 1]]);
  check("take closes the source", () => {
    let closed = 0;
    const source = { next: () => ({ value: 1, done: false }), return: () => ((closed++), {}), __proto__: Iterator.prototype };
    const first = source.take(1).toArray();
    return [first, closed];
  }, [[1], 1]);
  check("argument error closes the source", () => {
    let closed = 0;
    const source = { next: () => ({ value: 1, done: false }), return: () => ((closed++), {}), __proto__: Iterator.prototype };
    try {
      source.map(1);
    } catch (e) {
      return [e.constructor.name, closed];
    }
  }, ["TypeError", 1]);
  check("helper return() before start closes the source", () => {
    let closed = 0;
    const source = { next: () => ({ value: 1, done: false }), return: () => ((closed++), {}), __proto__: Iterator.prototype };
    const helper = source.map((x) => x);
    helper.return();
    return [closed, helper.next().done];
  }, [1, true]);
  check("take(NaN)", () => [].values().take(NaN), "threw RangeError");
  check("generator helpers", () => (function* () {
    yield 1;
    yield 2;
    yield 3;
  })().take(2).toArray(), [1, 2]);
  check("Iterator.concat", () => Iterator.concat([1], new Set([2, 3])).toArray(), [1, 2, 3]);
  check("Iterator.concat refuses a primitive", () => Iterator.concat("ab"), "threw TypeError");
  check("helper tag", () => Object.prototype.toString.call([].values().map((x) => x)), "[object Iterator Helper]");
  check("Iterator.prototype tag", () => Object.prototype.toString.call([].values()), "[object Array Iterator]");
  check("Iterator.from wraps a plain iterator", () => {
    const plain = { i: 0, next() {
      return this.i < 2 ? { value: this.i++, done: false } : { done: true };
    } };
    const wrapped = Iterator.from(plain);
    return [wrapped instanceof Iterator, wrapped.toArray()];
  }, [true, [0, 1]]);
  check("Iterator.from string", () => Iterator.from("ab").toArray(), ["a", "b"]);

  // ---- binary
  check("detached", () => {
    const buffer = new ArrayBuffer(8);
    const before = buffer.detached;
    buffer.transfer();
    return [before, buffer.detached];
  }, [false, true]);
  check("detached on a non-ArrayBuffer", () => Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached").get.call({}), "threw TypeError");
  check("transferToFixedLength", () => {
    const buffer = new ArrayBuffer(4, { maxByteLength: 8 });
    new Uint8Array(buffer).set([1, 2, 3, 4]);
    const fixed = buffer.transferToFixedLength(6);
    return [fixed.resizable, fixed.byteLength, bytes(fixed), buffer.detached];
  }, [false, 6, [1, 2, 3, 4, 0, 0], true]);
  check("transferToFixedLength detached", () => {
    const buffer = new ArrayBuffer(4);
    buffer.transfer();
    return buffer.transferToFixedLength();
  }, "threw TypeError");
  check("f16round", () => [5.5, 5.05, 65519, 65520, 2 ** -25, 3 * 2 ** -25, -0, NaN, 1e-8, -65504].map(Math.f16round), [5.5, 5.05078125, 65504, Infinity, 0, 2 ** -23, -0, NaN, 0, -65504]);
  check("DataView float16", () => {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat16(0, 1.5);
    view.setFloat16(2, -2, true);
    return [bytes(view.buffer), view.getFloat16(0), view.getFloat16(2, true)];
  }, [[0x3e, 0x00, 0x00, 0xc0], 1.5, -2]);
  check("DataView float16 range", () => new DataView(new ArrayBuffer(1)).getFloat16(0), "threw RangeError");
  check("fromBase64", () => Uint8Array.fromBase64("SGVs bG8="), Uint8Array.of(72, 101, 108, 108, 111));
  check("fromBase64 base64url", () => Uint8Array.fromBase64("-_8", { alphabet: "base64url" }), Uint8Array.of(0xfb, 0xff));
  check("fromBase64 strict extra bits", () => Uint8Array.fromBase64("bx==", { lastChunkHandling: "strict" }), "threw SyntaxError");
  check("fromBase64 loose extra bits", () => Uint8Array.fromBase64("bx=="), Uint8Array.of(0x6f));
  check("fromBase64 invalid", () => Uint8Array.fromBase64("S*"), "threw SyntaxError");
  check("fromBase64 not a string", () => Uint8Array.fromBase64(1), "threw TypeError");
  check("fromBase64 bad alphabet", () => Uint8Array.fromBase64("", { alphabet: "hex" }), "threw TypeError");
  check("toBase64", () => [Uint8Array.of(72, 105).toBase64(), Uint8Array.of(0xfb, 0xff).toBase64({ alphabet: "base64url", omitPadding: true })], ["SGk=", "-_8"]);
  check("fromHex / toHex", () => [Uint8Array.fromHex("48656C6c6f"), Uint8Array.of(0, 15, 255).toHex()], [Uint8Array.of(72, 101, 108, 108, 111), "000fff"]);
  check("fromHex odd", () => Uint8Array.fromHex("abc"), "threw SyntaxError");
  check("setFromBase64", () => {
    const into = new Uint8Array(4);
    return [into.setFromBase64("SGVsbG8="), into];
  }, [{ read: 4, written: 3 }, Uint8Array.of(72, 101, 108, 0)]);
  check("setFromHex", () => {
    const into = new Uint8Array(2);
    return [into.setFromHex("0102ff"), into];
  }, [{ read: 4, written: 2 }, Uint8Array.of(1, 2)]);
  check("toHex on Uint8ClampedArray", () => Uint8Array.prototype.toHex.call(Uint8ClampedArray.of(1)), "threw TypeError");

  // ---- text
  check("isWellFormed", () => ["ab", "a\uD800", "\uDC00", "😀"].map((s) => s.isWellFormed()), [true, false, false, true]);
  check("toWellFormed", () => ["a\uD800b", "😀", "\uDC00"].map((s) => s.toWellFormed()), ["a\uFFFDb", "😀", "\uFFFD"]);
  check("RegExp.escape", () => [RegExp.escape("foo.bar"), RegExp.escape("a,b c"), RegExp.escape("_x\n"), RegExp.escape("1+1")], ["\\x66oo\\.bar", "\\x61\\x2cb\\x20c", "_x\\n", "\\x31\\+1"]);
  check("RegExp.escape non-ASCII", () => RegExp.escape("é\u00a0\u2028\uD800😀"), "é\\xa0\\u2028\\ud800😀");
  check("RegExp.escape matches literally", () => new RegExp(RegExp.escape("(a+b)*")).test("x(a+b)*y"), true);
  check("RegExp.escape not a string", () => RegExp.escape(1), "threw TypeError");

  // ---- numbers
  check("sumPrecise", () => [Math.sumPrecise([1e20, 0.1, -1e20]), Math.sumPrecise([0.1, 0.2]), Math.sumPrecise([1e308, 1e308, -1e308])], [0.1, 0.30000000000000004, 1e308]);
  check("sumPrecise zeros", () => [Math.sumPrecise([]), Math.sumPrecise([-0]), Math.sumPrecise([0, -0])], [-0, -0, 0]);
  check("sumPrecise special", () => [Math.sumPrecise([Infinity, -Infinity]), Math.sumPrecise([1e308, 1e308]), Math.sumPrecise([NaN, 1]), Math.sumPrecise([-Infinity, 1])], [NaN, Infinity, NaN, -Infinity]);
  check("sumPrecise rounding", () => Math.sumPrecise([2 ** 53, 1, 1e-300]), 2 ** 53 + 2);
  check("sumPrecise subnormal", () => Math.sumPrecise([5e-324, 5e-324]), 1e-323);
  check("sumPrecise not a number", () => Math.sumPrecise([1, "2"]), "threw TypeError");

  // ---- JSON
  check("rawJSON", () => {
    const r = JSON.rawJSON("1e1000");
    return [JSON.isRawJSON(r), Object.isFrozen(r), Object.getPrototypeOf(r), r.rawJSON, JSON.isRawJSON({ rawJSON: "1" })];
  }, [true, true, null, "1e1000", false]);
  check("stringify writes raw JSON as is", () => JSON.stringify({ big: JSON.rawJSON("12345678901234567890"), list: [JSON.rawJSON('"s"'), 1] }), '{"big":12345678901234567890,"list":["s",1]}');
  check("stringify raw JSON with a replacer function", () => JSON.stringify([1, 2], (k, v) => (k === "0" ? JSON.rawJSON("true") : v)), "[true,2]");
  check("stringify raw JSON with a property list", () => JSON.stringify({ a: 1, b: JSON.rawJSON("2"), c: 3 }, ["b", "a"]), '{"b":2,"a":1}');
  check("stringify raw JSON with space", () => JSON.stringify({ a: JSON.rawJSON("1") }, null, 1), '{\n "a": 1\n}');
  check("stringify without raw JSON is unchanged", () => JSON.stringify({ s: "\u0000x", n: [1, null] }), '{"s":"\\u0000x","n":[1,null]}');
  check("rawJSON refuses objects, padding, empty", () => ["{}", " 1", "1\n", "", "[1]"].map((t) => {
    try {
      JSON.rawJSON(t);
      return "made";
    } catch (e) {
      return e.constructor.name;
    }
  }), ["SyntaxError", "SyntaxError", "SyntaxError", "SyntaxError", "SyntaxError"]);

  // ---- Atomics.waitAsync
  check("waitAsync not-equal and timed-out at once", () => {
    const ia = new Int32Array(new SharedArrayBuffer(8));
    return [Atomics.waitAsync(ia, 0, 1), Atomics.waitAsync(ia, 1, 0, 0)];
  }, [{ async: false, value: "not-equal" }, { async: false, value: "timed-out" }]);
  await checkAsync("waitAsync woken by notify", async () => {
    const ia = new Int32Array(new SharedArrayBuffer(8));
    const first = Atomics.waitAsync(ia, 1, 0);
    const second = Atomics.waitAsync(ia, 1, 0, 60_000);
    const woken = [Atomics.notify(ia, 1, 1), Atomics.notify(ia, 1)];
    return [first.async, woken, await first.value, await second.value];
  }, [true, [1, 1], "ok", "ok"]);
  check("waitAsync needs a shared Int32Array", () => [
    () => Atomics.waitAsync(new Int32Array(4), 0, 0),
    () => Atomics.waitAsync(new Int16Array(new SharedArrayBuffer(8)), 0, 0),
    () => Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(8)), 2, 0),
  ].map((f) => {
    try {
      f();
      return "ok";
    } catch (e) {
      return e.constructor.name;
    }
  }), ["TypeError", "TypeError", "RangeError"]);

  // ---- errors
  check("Error.isError", () => [new Error("x"), new TypeError("t"), new (class extends Error {})(), {}, Object.create(Error.prototype), null, "Error"].map((v) => Error.isError(v)), [true, true, true, false, false, false, false]);
  trace(`checks done ${count}\n`);
}

main().catch((error) => trace(`FAIL main: ${error}\n`));
