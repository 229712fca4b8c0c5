/**
 * Random datagrams for the receive-path fuzz and the soak runner:
 * deterministic payloads from a seed, and the size distribution (0–65507,
 * weighted towards what fits an Ethernet frame, with the edges).
 */
import fc from "fast-check";

/** Deterministic bytes of `size` from `seed` (xorshift32). */
export function payload(size: number, seed: number): Uint8Array {
  const words = new Uint32Array((size + 3) >>> 2);
  let x = seed | 0 || 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, size);
}

/** Byte-for-byte equality (memcmp speed). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Datagram sizes: mostly what fits a frame, some large, the edges. */
export const sizeArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1472 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1473, max: 9000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 9001, max: 65507 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 1472, 1473, 65506, 65507) },
);

