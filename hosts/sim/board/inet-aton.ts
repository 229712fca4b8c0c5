/**
 * lwIP's `ip4addr_aton` (src/core/ipv4/ip4_addr.c), which ESP32's
 * `dns_gethostbyname` uses to answer a name that is already an address:
 * BSD `inet_aton` forms `a.b.c.d`, `a.b.c` (16-bit last part), `a.b` (24-bit),
 * `a` (32-bit), each part decimal, octal (leading 0) or hex (0x), and
 * anything after a whitespace character ignored. Returns the address as an
 * unsigned 32-bit number, or -1 when lwIP would not take it.
 */
export function inetAton(text: string): number {
  const parts: number[] = [];
  let at = 0;
  const code = (i: number): number => (i < text.length ? text.charCodeAt(i) : 0);
  let c = code(at);
  let value = 0;
  for (;;) {
    if (!isDigit(c)) return -1;
    value = 0;
    let base = 10;
    if (c === 0x30) {
      c = code(++at);
      if (c === 0x78 || c === 0x58) {
        base = 16;
        c = code(++at);
      } else base = 8;
    }
    for (;;) {
      if (isDigit(c)) {
        if (base === 8 && c - 0x30 >= 8) break;
        value = (value * base + (c - 0x30)) >>> 0; // u32_t arithmetic wraps
        c = code(++at);
      } else if (base === 16 && isHexLetter(c)) {
        value = ((value << 4) | ((c | 0x20) - 0x61 + 10)) >>> 0;
        c = code(++at);
      } else break;
    }
    if (c !== 0x2e) break;
    if (parts.length >= 3) return -1;
    parts.push(value);
    c = code(++at);
  }
  if (at < text.length && !isSpace(c)) return -1;
  switch (parts.length) {
    case 0:
      return value;
    case 1:
      if (value > 0xffffff || parts[0] > 0xff) return -1;
      return (value | (parts[0] << 24)) >>> 0;
    case 2:
      if (value > 0xffff || parts[0] > 0xff || parts[1] > 0xff) return -1;
      return (value | (parts[0] << 24) | (parts[1] << 16)) >>> 0;
    default:
      if (value > 0xff || parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xff) return -1;
      return (value | (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8)) >>> 0;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66;
}

/** C's isspace in the "C" locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
