/**
 * impOS clocks: `hardware.millis()`, `hardware.micros()` (free-running
 * counters from boot, Squirrel 32-bit integers that wrap) and Squirrel's
 * `time()` (Unix time in seconds).
 */
import type { DeviceContext } from "./context";

/** impOS `hardware` (its clock functions; impnet has no pins or buses). */
export class Hardware {
  /** @internal */
  constructor(private readonly context: DeviceContext) {}

  /**
   * impOS `hardware.millis()`: milliseconds since the device started, as a
   * signed 32-bit integer: it turns negative after 2^31 ms (about 25 days)
   * and wraps, so `(a - b) > 0` still orders times less than 25 days apart.
   */
  millis(): number {
    return Math.floor(this.context.platform.now()) | 0;
  }

  /**
   * impOS `hardware.micros()`: microseconds since the device started, as a
   * signed 32-bit integer (negative after about 35.8 minutes, then wraps).
   * Resolution is the platform's (see docs/compatibility.md §7).
   */
  micros(): number {
    const platform = this.context.platform;
    return Math.floor(platform.micros !== undefined ? platform.micros() : platform.now() * 1000) | 0;
  }
}

/**
 * Squirrel `time()`: the current Unix time (UTC seconds since 1 January
 * 1970) as an integer, from the platform's wall clock. On a board the
 * clock is right only once it was set (Moddable: SNTP), see
 * docs/compatibility.md §7.
 */
export function time(): number {
  return Math.floor(Date.now() / 1000);
}
