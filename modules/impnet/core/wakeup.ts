/**
 * impOS timers: `imp.wakeup(interval, callback)` and
 * `imp.cancelwakeup(timer)`, on the host's timers (port `schedule`/`cancel`:
 * Moddable's `Timer` on every Moddable host, the virtual clock in unit tests).
 */
import { describeValue } from "./describe";
import type { Task, TimerHandle } from "../port";
import type { DeviceContext } from "./context";

/** Longest interval impOS accepts, in seconds (2^30 centiseconds). */
export const MAX_WAKEUP_SECONDS = 10737418;

/** `imp.wakeup` callback: called with no arguments. */
export type WakeupCallback = () => void;

/**
 * impOS timer object, as `imp.wakeup()` returns it: pass it to
 * `imp.cancelwakeup()`. It stays a valid reference after it fired or was
 * cancelled (cancelling it then does nothing).
 */
export class WakeupTimer implements Task {
  /** Not yet fired or cancelled. */
  private pending = true;
  private handle: TimerHandle | undefined;

  /** @internal Use `imp.wakeup()`. */
  constructor(
    private readonly context: DeviceContext,
    private readonly callback: WakeupCallback,
  ) {}

  /** @internal Schedules the timer on the host; false when the host could not make one. */
  start(delayMs: number): boolean {
    try {
      this.handle = this.context.platform.schedule(this, delayMs);
      return true;
    } catch {
      this.pending = false;
      return false;
    }
  }

  /** @internal Host: the timer is due. A throwing callback is reported like every other callback. */
  run(): void {
    if (!this.pending) return;
    this.pending = false;
    this.handle = undefined;
    try {
      this.callback();
    } catch (error) {
      this.context.callbackFailed("imp.wakeup callback", error);
    }
  }

  /** @internal `imp.cancelwakeup(this)`. */
  cancel(): void {
    if (!this.pending) return;
    this.pending = false;
    const handle = this.handle;
    this.handle = undefined;
    if (handle !== undefined) this.context.platform.cancel(handle);
  }
}

/**
 * The timer delay for an `imp.wakeup` interval: impOS timers have
 * centisecond resolution, so a positive interval rounds up to the next
 * 10 ms (0.000001 s acts as 0.01 s); 0 runs on the next turn (like
 * `imp.onidle`). Throws for an interval that is not a number in 0–10737418.
 */
export function wakeupDelay(interval: unknown): number {
  if (typeof interval !== "number") throw new TypeError(`imp.wakeup: interval ${describeValue(interval)} is not a number`);
  if (!(interval >= 0 && interval <= MAX_WAKEUP_SECONDS)) {
    throw new RangeError(`imp.wakeup: interval ${interval} is outside 0-${MAX_WAKEUP_SECONDS} seconds`);
  }
  if (interval === 0) return 0;
  // Rounded to the microsecond first, so 0.07 s is 7 centiseconds, not 8 (0.07 × 100 is 7.000000000000001).
  return Math.ceil(Math.round(interval * 1e6) / 1e4) * 10;
}
