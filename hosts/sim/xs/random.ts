/**
 * `Math.random` for the simulator's firmware, seeded from the supervisor's
 * entropy. xsnap's own `Math.random` is C `rand()` that nothing seeds, so it
 * gives the same sequence in every run and every simulated device (the same
 * "random" ephemeral ports each time). On an ESP32, XS's `Math.random` reads
 * the hardware RNG (`esp_random()`), so every boot differs
 * (docs/compatibility.md §6, "Randomness").
 *
 * xoshiro128** (Blackman and Vigna), 53-bit doubles from two outputs.
 */

/** A `Math.random` replacement from a 128-bit seed (four 32-bit words, not all zero). */
export function seededRandom(seed: readonly number[]): () => number {
  let a = seed[0] >>> 0;
  let b = seed[1] >>> 0;
  let c = seed[2] >>> 0;
  let d = seed[3] >>> 0;
  // The generator is stuck at zero from an all-zero state.
  if ((a | b | c | d) === 0) a = 0x9e3779b9;
  const next = (): number => {
    const x = Math.imul(b, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result;
  };
  return () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
}

/** Replaces the engine's `Math.random` with one seeded by `seed`. */
export function seedMathRandom(seed: readonly number[]): void {
  Object.defineProperty(Math, "random", { value: seededRandom(seed), writable: true, configurable: true, enumerable: false });
}
