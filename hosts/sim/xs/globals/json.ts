/**
 * `JSON.rawJSON` and `JSON.isRawJSON` (ES2026), which XS 17 has (xsJSON.c)
 * and xsnap's XS lacks: a frozen, null-prototype object whose `rawJSON` text
 * `JSON.stringify` writes as it is. `JSON.stringify` is wrapped for that; until
 * an app makes a raw JSON object it calls the engine's own directly.
 */
import { defineMethods, replaceMethod } from "./define";

const raw = new WeakSet<object>();
let made = 0;
const originalStringify = JSON.stringify;

function rawJSON(text: unknown): object {
  const string = `${text as string}`;
  if (string === "") throw new SyntaxError("empty string");
  const first = string.charCodeAt(0);
  const last = string.charCodeAt(string.length - 1);
  for (const c of [first, last]) if (c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20) throw new SyntaxError("invalid string");
  const value = JSON.parse(string) as unknown;
  if (typeof value === "object" && value !== null) throw new SyntaxError("invalid string");
  const object = Object.create(null) as { rawJSON: string };
  object.rawJSON = string;
  Object.freeze(object);
  raw.add(object);
  made++;
  return object;
}

function isRawJSON(value: unknown): boolean {
  return typeof value === "object" && value !== null && raw.has(value);
}

/** PropertyList from an array replacer (ECMA-262 JSON.stringify step 4.b). */
function propertyList(replacer: unknown[]): string[] {
  const list: string[] = [];
  for (const item of replacer) {
    let key: string | undefined;
    if (typeof item === "string") key = item;
    else if (typeof item === "number") key = `${item}`;
    else if (typeof item === "object" && item !== null && (item instanceof String || item instanceof Number)) key = `${item as unknown as string}`;
    if (key !== undefined && !list.includes(key)) list.push(key);
  }
  return list;
}

function isPlainObjectValue(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return !(value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt);
}

/**
 * JSON.stringify that writes raw JSON objects' text: they go through the
 * engine's stringify as unique placeholder strings, replaced afterwards.
 */
function stringify(value: unknown, replacer?: unknown, space?: unknown): string | undefined {
  if (made === 0) return originalStringify(value, replacer as (string | number)[], space as string);
  const texts: string[] = [];
  const token = `\u0000rawJSON${Math.random().toString(36).slice(2)}:`;
  const mark = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null || !raw.has(v)) return v;
    texts.push((v as { rawJSON: string }).rawJSON);
    return `${token}${texts.length - 1}`;
  };
  let wrapped: (this: unknown, key: string, v: unknown) => unknown;
  if (typeof replacer === "function") {
    wrapped = function (key, v) {
      return mark((replacer as (this: unknown, k: string, v: unknown) => unknown).call(this, key, v));
    };
  } else if (Array.isArray(replacer)) {
    const list = propertyList(replacer);
    wrapped = (_key, v) => {
      const marked = mark(v);
      if (marked !== v || !isPlainObjectValue(v)) return marked;
      // The property list applies to every object: a copy holding just those properties, in that order.
      const copy: Record<string, unknown> = {};
      for (const key of list) Object.defineProperty(copy, key, { value: v[key], writable: true, enumerable: true, configurable: true });
      return copy;
    };
  } else wrapped = (_key, v) => mark(v);
  const text = originalStringify(value, wrapped, space as string);
  if (text === undefined || texts.length === 0) return text;
  const quoted = originalStringify(token).slice(0, -1);
  let out = "";
  let at = 0;
  for (let found = text.indexOf(quoted, at); found >= 0; found = text.indexOf(quoted, at)) {
    const end = text.indexOf('"', found + quoted.length);
    out += text.slice(at, found) + texts[Number(text.slice(found + quoted.length, end))];
    at = end + 1;
  }
  return out + text.slice(at);
}

export function installJsonAdditions(): void {
  if (typeof (JSON as { rawJSON?: unknown }).rawJSON === "function") return;
  defineMethods(JSON, { rawJSON, isRawJSON });
  replaceMethod(JSON, "stringify", stringify);
}
