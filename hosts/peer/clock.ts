// The peer's time source and timers. Every mode reads time and sets timers
// only through a Clock, so tests can drive the time logic (loss timeouts,
// pacing, durations, idle ends) with a ManualClock instead of the wall clock.

import { performance } from "node:perf_hooks";

/** Cancels a timer set by a Clock. Cancelling twice does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds on a monotonic scale (only differences matter). */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now. */
  after(ms: number, fn: () => void): CancelTimer;
  /** Calls `fn` every `ms` milliseconds until cancelled. */
  every(ms: number, fn: () => void): CancelTimer;
}

/** The wall clock: `performance.now()` and Node's timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};

/** Resolves after `ms` milliseconds of `clock` time. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.after(ms, resolve);
  });
}

interface ManualTimer {
  at: number;
  seq: number;
  /** Repeat period, or 0 for a one-shot timer. */
  period: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to (`advance`). Timers fire inside
 * `advance`, in time order (ties in the order they were set), with `now()`
 * at their due time, so a test decides exactly when a timeout, a pacing tick
 * or the end of a duration happens, however busy the machine is.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): CancelTimer {
    return this.add(Math.max(0, ms), 0, fn);
  }

  every(ms: number, fn: () => void): CancelTimer {
    // A period of at least 1 ms, as Node's setInterval: `advance` always ends.
    const period = Math.max(1, ms);
    return this.add(period, period, fn);
  }

  /** Timers set and not yet fired or cancelled (intervals count once). */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (and timers those set). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ${ms} is not a time >= 0`);
    const target = this.time + ms;
    for (;;) {
      const next = this.earliest();
      if (next === undefined || next.at > target) break;
      this.time = next.at;
      if (next.period > 0) {
        next.at += next.period;
        next.seq = this.seq++;
      } else this.remove(next);
      next.fn();
    }
    this.time = target;
  }

  private add(delay: number, period: number, fn: () => void): CancelTimer {
    const timer: ManualTimer = { at: this.time + delay, seq: this.seq++, period, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      if (timer.cancelled) return;
      timer.cancelled = true;
      this.remove(timer);
    };
  }

  private earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }

  private remove(timer: ManualTimer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }
}
