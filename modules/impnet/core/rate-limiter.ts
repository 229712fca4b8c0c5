import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "./constants";

/**
 * impOS's outgoing UDP limit as a token bucket: capacity 100, starts full,
 * refills continuously at 25 tokens per second, one token per datagram.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    now: number,
    private readonly capacity: number = RATE_LIMIT_BURST,
    private readonly perSecond: number = RATE_LIMIT_PER_SECOND,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Refills for the time elapsed since the last call and tells whether a token is there. */
  available(now: number): boolean {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      const tokens = this.tokens + (elapsed * this.perSecond) / 1000;
      this.tokens = tokens > this.capacity ? this.capacity : tokens;
      this.last = now;
    }
    return this.tokens >= 1;
  }

  /** Spends one token; call only after `available()` returned true. */
  take(): void {
    this.tokens -= 1;
  }
}
