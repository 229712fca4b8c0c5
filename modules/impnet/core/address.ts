/**
 * Dotted-quad IPv4 parsing and the destination rules of `udpsocket.send()`.
 * Addresses are handled as unsigned 32-bit numbers; -1 means "not an address".
 */

/**
 * Parses a strict dotted quad ("192.168.0.1"): four decimal octets 0–255,
 * no signs, spaces or leading zeros (which some stacks read as octal).
 * Returns the address as an unsigned 32-bit number, or -1.
 */
export function parseIPv4(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (leadingZero) return -1;
      if (digits === 0 && c === 48) leadingZero = true;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
      continue;
    } else {
      return -1;
    }
    leadingZero = false;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** Formats an unsigned 32-bit address as a dotted quad. */
export function formatIPv4(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 1918 private ranges: 10/8, 172.16/12, 192.168/16. */
export function isPrivateIPv4(value: number): boolean {
  const a = value >>> 24;
  if (a === 10) return true;
  const b = (value >>> 16) & 255;
  if (a === 172) return b >= 16 && b <= 31;
  return a === 192 && b === 168;
}

/** 127.0.0.0/8. */
export function isLoopbackIPv4(value: number): boolean {
  return value >>> 24 === 127;
}

/** Directed broadcast address of `address` under `netmask` (both unsigned 32-bit). */
export function broadcastOf(address: number, netmask: number): number {
  return (address | ~netmask) >>> 0;
}

/** Number of leading one bits of a netmask (its prefix length, /24 for 255.255.255.0). */
export function prefixLength(netmask: number): number {
  let bits = 0;
  for (let bit = 0x80000000; bit !== 0 && (netmask & bit) !== 0; bit >>>= 1) bits++;
  return bits;
}
