/*
 * Lists the global environment of the XS engine it runs on, one trace line per
 * object: "xs-env LABEL name,name,..." with the own property names (symbols as
 * @@description) of every global, of each global constructor's prototype, and
 * of intrinsics reachable only through other objects. Ends with "xs-env end".
 *
 * Runs unchanged in Moddable's runtime (built by tools/xs-environment.ts for
 * mcsim) and in impnet-sim. Moddable keeps its built-ins on the prototype of
 * the global object, so the names come from the whole prototype chain.
 */
const objectPrototype = Object.prototype;

function keys(o) {
  const names = Object.getOwnPropertyNames(o);
  for (const symbol of Object.getOwnPropertySymbols(o)) names.push(`@@${symbol.description}`);
  return names.sort();
}

function report(label, o) {
  trace(`xs-env ${label} ${keys(o).join(",")}\n`);
}

const globals = new Set();
for (let o = globalThis; o !== null && o !== objectPrototype; o = Object.getPrototypeOf(o)) for (const name of keys(o)) globals.add(name);
const sorted = [...globals].sort();
trace(`xs-env globalThis ${sorted.join(",")}\n`);
for (const name of sorted) {
  let value;
  try {
    value = globalThis[name];
  } catch {
    continue;
  }
  if (typeof value === "function") {
    report(name, value);
    const prototype = value.prototype;
    if (prototype !== null && typeof prototype === "object") report(`${name}.prototype`, prototype);
  } else if (value !== null && typeof value === "object" && value !== globalThis) report(name, value);
}

const intrinsics = {
  "%TypedArray%": Object.getPrototypeOf(Uint8Array),
  "%IteratorPrototype%": Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
  "%ArrayIteratorPrototype%": Object.getPrototypeOf([][Symbol.iterator]()),
  "%StringIteratorPrototype%": Object.getPrototypeOf(""[Symbol.iterator]()),
  "%MapIteratorPrototype%": Object.getPrototypeOf(new Map()[Symbol.iterator]()),
  "%SetIteratorPrototype%": Object.getPrototypeOf(new Set()[Symbol.iterator]()),
  "%RegExpStringIteratorPrototype%": Object.getPrototypeOf("a".matchAll(/a/g)),
  "%GeneratorPrototype%": Object.getPrototypeOf(function* () {}).prototype,
  "%AsyncGeneratorPrototype%": Object.getPrototypeOf(async function* () {}).prototype,
  "%AsyncIteratorPrototype%": Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype),
  "%AsyncFunction.prototype%": Object.getPrototypeOf(async function () {}),
};
for (const label of Object.keys(intrinsics)) {
  const value = intrinsics[label];
  report(label, value);
  if (typeof value === "function" && value.prototype) report(`${label}.prototype`, value.prototype);
}
trace("xs-env end\n");
