/**
 * Text additions XS 17 has and xsnap's XS lacks: `String.prototype.isWellFormed`
 * and `toWellFormed` (ES2024), and `RegExp.escape` (ES2025) as XS implements
 * it (xs/sources/xsre.c `fx_RegExp_escape`, whose escape tables are copied
 * below: ASCII punctuation and whitespace, U+00A0, U+2028, U+2029, U+202F,
 * U+FEFF and lone surrogates).
 */
import { defineMethods } from "./define";
import { thisString } from "./abstract";

const stringMethods = {
  isWellFormed(this: unknown): boolean {
    const text = thisString(this, "String.prototype.isWellFormed");
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
        else return false;
      } else if (c >= 0xdc00 && c <= 0xdfff) return false;
    }
    return true;
  },
  toWellFormed(this: unknown): string {
    const text = thisString(this, "String.prototype.toWellFormed");
    let out = "";
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let lone = false;
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
        else lone = true;
      } else if (c >= 0xdc00 && c <= 0xdfff) lone = true;
      if (lone) {
        out += `${text.slice(start, i)}\ufffd`;
        start = i + 1;
      }
    }
    return start === 0 ? text : out + text.slice(start);
  },
};

/** Per ASCII code: 0 as is, 1 as \xHH, else the character to put after a backslash. From xsre.c. */
function table(hex: string, backslashed: string): (string | 0 | 1)[] {
  const codes: (string | 0 | 1)[] = new Array<string | 0 | 1>(128).fill(0);
  for (const c of hex) codes[c.charCodeAt(0)] = 1;
  for (const c of backslashed) codes[c.charCodeAt(0)] = c;
  codes[9] = "t";
  codes[10] = "n";
  codes[11] = "v";
  codes[12] = "f";
  codes[13] = "r";
  return codes;
}
const SYNTAX = "$()*+./?[\\]^{|}";
/** The first character: digits and ASCII letters too, so the result can follow anything. */
const FIRST = table(" !\"#%&',-0123456789:;<=>@ABCDEFGHIJKLMNOPQRSTUVWXYZ`abcdefghijklmnopqrstuvwxyz~", SYNTAX);
const NEXT = table(" !\"#%&',-:;<=>@`~", SYNTAX);

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}

const regExpStatics = {
  escape(string: unknown): string {
    if (typeof string !== "string") throw new TypeError("string: not a string");
    let out = "";
    let codes = FIRST;
    for (const character of string) {
      const code = character.codePointAt(0)!;
      if (code < 128) {
        const e = codes[code];
        out += e === 0 ? character : e === 1 ? `\\x${hex(code, 2)}` : `\\${e}`;
      } else if (code === 0xa0) out += "\\xa0";
      else if (code === 0x2028 || code === 0x2029 || code === 0x202f || (code >= 0xd800 && code <= 0xdfff) || code === 0xfeff) out += `\\u${hex(code, 4)}`;
      else out += character;
      codes = NEXT;
    }
    return out;
  },
};

export function installTextAdditions(): void {
  defineMethods(String.prototype, stringMethods);
  defineMethods(RegExp, regExpStatics);
}
