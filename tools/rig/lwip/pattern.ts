/**
 * Payloads of the lwIP tests, the same on both sides: the harness
 * (harness/harness.c) makes and checks them in C, the PC agent in Node.
 */

/** Byte i of a datagram made from `seed`: (seed * 31 + i * 7 + (i >> 8)) & 0xff. */
export function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed * 31 + i * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** FNV-1a (32 bits) as 8 hex digits: how both sides name a payload in their reports. */
export function fnv1a(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}
