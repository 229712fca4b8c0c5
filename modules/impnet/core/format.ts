/**
 * Squirrel's global `format(formatString, ...)`: the printf subset of
 * Squirrel's string library (docs/compatibility.md §7), which hands each
 * conversion to the C library's printf. impnet reproduces what that does:
 *
 * - conversions `%s`, `%d %i %u %o %x %X %c` (integers), `%f %e %E %g %G`
 *   (floats) and `%%`; anything else is "invalid format";
 * - flags `-`, `+`, space, `#`, `0`; a width and a precision of at most two
 *   digits each (Squirrel refuses three: "width format too long",
 *   "precision format too long"), at most 20 characters per specification;
 * - argument types as Squirrel checks them: `%s` needs a string; the integer
 *   conversions a number or a bool (true is 1); the float conversions a
 *   number. Too few arguments is an error; extra ones are ignored;
 * - integers are Squirrel's 32-bit integers: a number is truncated and
 *   wrapped to 32 bits, so `%x` of -1 is `ffffffff`;
 * - floats are printed exactly as C does (correct rounding, ties to even),
 *   from the double the app passes (an imp's floats are 32-bit; JavaScript
 *   numbers are not narrowed first).
 *
 * Plain ES2022 for XS; exact float digits come from BigInt arithmetic.
 */
import { describeValue } from "./describe";
import { decodeText } from "./text";

const charCodeAt = String.prototype.charCodeAt;

/** Longest specification (flags, width, precision) Squirrel accepts. */
const MAX_SPEC = 20;

/** One parsed conversion specification. */
interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  alternate: boolean;
  zero: boolean;
  width: number;
  /** -1 when none was given. */
  precision: number;
  conversion: string;
}

/**
 * impOS / Squirrel `format(formatString, ...)`: `formatString` with each
 * `%` specification replaced by the next argument, printf style.
 * Throws `TypeError` for an argument of the wrong type, `Error` for a
 * malformed specification or too few arguments.
 */
export function format(formatString: string, ...args: unknown[]): string {
  if (typeof formatString !== "string") {
    throw new TypeError(`format: formatString must be a string, not ${describeValue(formatString)}`);
  }
  const n = formatString.length;
  let out = "";
  let literal = 0;
  let next = 0;
  let i = 0;
  while (i < n) {
    if (charCodeAt.call(formatString, i) !== 37 /* % */) {
      i++;
      continue;
    }
    out += formatString.slice(literal, i);
    if (charCodeAt.call(formatString, i + 1) === 37) {
      out += "%";
      i += 2;
      literal = i;
      continue;
    }
    const at = i;
    // Squirrel counts arguments before it reads the specification.
    if (next >= args.length) {
      throw new Error(`format: not enough parameters for the given format string (the specification at index ${at} has no argument ${next + 1})`);
    }
    const spec: Spec = { left: false, plus: false, space: false, alternate: false, zero: false, width: 0, precision: -1, conversion: "" };
    i = parseSpec(formatString, i + 1, spec);
    const piece = formatString.slice(at, i);
    out += convert(spec, args[next++], piece, at);
    literal = i;
  }
  return out + formatString.slice(literal);
}

/** Reads flags, width, precision and the conversion character from `start`; returns the index after it. */
function parseSpec(text: string, start: number, spec: Spec): number {
  let i = start;
  for (;;) {
    const c = charCodeAt.call(text, i);
    if (c === 45) spec.left = true;
    else if (c === 43) spec.plus = true;
    else if (c === 32) spec.space = true;
    else if (c === 35) spec.alternate = true;
    else if (c === 48) spec.zero = true;
    else break;
    i++;
  }
  let digits = 0;
  while (isDigit(charCodeAt.call(text, i))) {
    spec.width = spec.width * 10 + charCodeAt.call(text, i) - 48;
    i++;
    if (++digits > 2) throw new Error(`format: width format too long (${quote(text, start - 1, i)} at index ${start - 1})`);
  }
  if (charCodeAt.call(text, i) === 46 /* . */) {
    i++;
    spec.precision = 0;
    digits = 0;
    while (isDigit(charCodeAt.call(text, i))) {
      spec.precision = spec.precision * 10 + charCodeAt.call(text, i) - 48;
      i++;
      if (++digits > 2) throw new Error(`format: precision format too long (${quote(text, start - 1, i)} at index ${start - 1})`);
    }
  }
  if (i - start > MAX_SPEC) throw new Error(`format: format too long (${quote(text, start - 1, i)} at index ${start - 1})`);
  spec.conversion = i < text.length ? text[i] : "";
  return i + 1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function quote(text: string, from: number, to: number): string {
  return JSON.stringify(text.slice(from, Math.min(to, text.length)));
}

/** One conversion of `value` by `spec`. */
function convert(spec: Spec, value: unknown, piece: string, at: number): string {
  switch (spec.conversion) {
    case "s":
      if (typeof value !== "string") {
        throw new TypeError(`format: string expected for the specified format (${JSON.stringify(piece)} at index ${at} got ${describeValue(value)})`);
      }
      return pad(spec, "", spec.precision >= 0 ? value.slice(0, spec.precision) : value, false);
    case "d":
    case "i":
    case "u":
    case "o":
    case "x":
    case "X":
    case "c":
      return formatInteger(spec, integerOf(value, piece, at));
    case "f":
    case "e":
    case "E":
    case "g":
    case "G":
      if (typeof value !== "number") {
        throw new TypeError(`format: float expected for the specified format (${JSON.stringify(piece)} at index ${at} got ${describeValue(value)})`);
      }
      return formatFloat(spec, value);
    default:
      throw new Error(`format: invalid format (${JSON.stringify(piece)} at index ${at})`);
  }
}

/** A Squirrel integer from a number (truncated, wrapped to 32 bits) or a bool. */
function integerOf(value: unknown, piece: string, at: number): number {
  if (typeof value === "number") return value | 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TypeError(`format: integer expected for the specified format (${JSON.stringify(piece)} at index ${at} got ${describeValue(value)})`);
}

function formatInteger(spec: Spec, value: number): string {
  const conversion = spec.conversion;
  if (conversion === "c") {
    // C prints the low byte; a byte above 0x7F alone is not UTF-8, so it becomes impnet's escape for that byte.
    const byte = value & 0xff;
    return pad(spec, "", decodeText(new Uint8Array([byte])), false);
  }
  const signed = conversion === "d" || conversion === "i";
  const magnitude = signed ? Math.abs(value) : value >>> 0;
  let digits = magnitude.toString(conversion === "o" ? 8 : conversion === "x" || conversion === "X" ? 16 : 10);
  if (conversion === "X") digits = digits.toUpperCase();
  if (spec.precision >= 0) {
    digits = spec.precision === 0 && magnitude === 0 ? "" : digits.padStart(spec.precision, "0");
  }
  let prefix = "";
  if (signed) prefix = value < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  else if (spec.alternate) {
    if (conversion === "o" && !digits.startsWith("0")) digits = `0${digits}`;
    else if (magnitude !== 0 && conversion === "x") prefix = "0x";
    else if (magnitude !== 0 && conversion === "X") prefix = "0X";
  }
  // The 0 flag is ignored when a precision is given.
  return pad(spec, prefix, digits, spec.precision < 0);
}

function formatFloat(spec: Spec, value: number): string {
  const upper = spec.conversion === "E" || spec.conversion === "G";
  const negative = value < 0 || Object.is(value, -0);
  const sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  if (!Number.isFinite(value)) {
    const word = Number.isNaN(value) ? "nan" : "inf";
    return pad(spec, Number.isNaN(value) ? (spec.plus ? "+" : spec.space ? " " : "") : sign, upper ? word.toUpperCase() : word, false);
  }
  const precision = spec.precision < 0 ? 6 : spec.precision;
  const exact = decompose(Math.abs(value));
  let body: string;
  if (spec.conversion === "f") body = fixed(exact, precision, spec.alternate);
  else if (spec.conversion === "e" || spec.conversion === "E") body = exponential(exact, precision, spec.alternate);
  else body = general(exact, precision === 0 ? 1 : precision, spec.alternate);
  return pad(spec, sign, upper ? body.toUpperCase() : body, true);
}

/** Pads `prefix + body` to the width: spaces on the left or right, or zeros after the prefix. */
function pad(spec: Spec, prefix: string, body: string, zeroAllowed: boolean): string {
  const missing = spec.width - prefix.length - body.length;
  if (missing <= 0) return prefix + body;
  if (spec.left) return prefix + body + " ".repeat(missing);
  if (spec.zero && zeroAllowed) return prefix + "0".repeat(missing) + body;
  return " ".repeat(missing) + prefix + body;
}

// ---------------------------------------------------------------- exact decimal digits of a double

/** A non-negative finite double as mantissa × 2^exponent, exactly. */
interface Exact {
  mantissa: bigint;
  exponent: number;
}

/** Scratch for reading a double's bits; made on first use (preloaded typed arrays are read-only). */
let bits: DataView | undefined;

function decompose(value: number): Exact {
  const view = (bits ??= new DataView(new ArrayBuffer(8)));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (high & 0xfffff) * 2 ** 32 + low;
  if (biased === 0) return { mantissa: BigInt(fraction), exponent: -1074 };
  return { mantissa: BigInt(fraction + 2 ** 52), exponent: biased - 1075 };
}

/** round(value × 10^power) to an integer, ties to even, computed exactly. */
function scaled(value: Exact, power: number): bigint {
  let numerator = value.mantissa;
  let denominator = 1n;
  if (value.exponent >= 0) numerator <<= BigInt(value.exponent);
  else denominator <<= BigInt(-value.exponent);
  if (power >= 0) numerator *= 10n ** BigInt(power);
  else denominator *= 10n ** BigInt(-power);
  let quotient = numerator / denominator;
  const twice = (numerator % denominator) * 2n;
  if (twice > denominator || (twice === denominator && (quotient & 1n) === 1n)) quotient += 1n;
  return quotient;
}

/** `%f`: `precision` digits after the point. */
function fixed(value: Exact, precision: number, alternate: boolean): string {
  const digits = scaled(value, precision).toString().padStart(precision + 1, "0");
  const whole = digits.slice(0, digits.length - precision);
  const point = precision > 0 || alternate ? "." : "";
  return whole + point + digits.slice(digits.length - precision);
}

/** The `precision + 1` significant digits of `value` and the decimal exponent of the first. */
function significant(value: Exact, precision: number): { digits: string; exponent: number } {
  if (value.mantissa === 0n) return { digits: "0".repeat(precision + 1), exponent: 0 };
  const number = Number(value.mantissa) * 2 ** value.exponent;
  let exponent = Math.floor(Math.log10(number));
  for (;;) {
    const digits = scaled(value, precision - exponent).toString();
    if (digits.length > precision + 1) exponent++;
    else if (digits.length < precision + 1) exponent--;
    else return { digits, exponent };
  }
}

function exponentText(exponent: number): string {
  const size = Math.abs(exponent).toString().padStart(2, "0");
  return `e${exponent < 0 ? "-" : "+"}${size}`;
}

/** `%e`: one digit, the point, `precision` digits, and a signed exponent of at least two digits. */
function exponential(value: Exact, precision: number, alternate: boolean): string {
  const { digits, exponent } = significant(value, precision);
  const point = precision > 0 || alternate ? "." : "";
  return digits[0] + point + digits.slice(1) + exponentText(exponent);
}

/** `%g`: `%e` or `%f` by the exponent, `precision` significant digits, trailing zeros removed unless `#`. */
function general(value: Exact, precision: number, alternate: boolean): string {
  const exponent = significant(value, precision - 1).exponent;
  if (exponent >= -4 && exponent < precision) {
    const text = fixed(value, precision - 1 - exponent, alternate);
    return alternate ? text : trimZeros(text);
  }
  const text = exponential(value, precision - 1, alternate);
  if (alternate) return text;
  const e = text.indexOf("e");
  return trimZeros(text.slice(0, e)) + text.slice(e);
}

/** Drops trailing zeros of the fraction, and the point if nothing is left after it. */
function trimZeros(text: string): string {
  if (text.indexOf(".") < 0) return text;
  let end = text.length;
  while (text[end - 1] === "0") end--;
  if (text[end - 1] === ".") end--;
  return text.slice(0, end);
}
