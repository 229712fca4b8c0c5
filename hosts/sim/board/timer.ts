/**
 * Emulated `timer` module (modules/base/timer; docs/platform-notes.md §4):
 * `set`, `repeat`, `schedule` (no interval = unschedule), `clear`, `delay`.
 * Callbacks get the timer as their argument, `this` = globalThis.
 */
import { board } from "./board";

type Callback = (timer: object) => void;

function interval(value: unknown): number {
  if (typeof value === "bigint" || typeof value === "symbol") throw new TypeError("timer: invalid interval");
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

const Timer = {
  set(callback: Callback, ms?: number, repeat?: number): object {
    return board().setTimer(callback, interval(ms), interval(repeat));
  },
  repeat(callback: Callback, ms: number): object {
    const every = interval(ms);
    return board().setTimer(callback, every, every);
  },
  schedule(timer: object, ms?: number, repeat?: number): void {
    board().scheduleTimer(timer, ms === undefined ? undefined : interval(ms), interval(repeat));
  },
  clear(timer: object | undefined | null): void {
    if (timer !== undefined && timer !== null) board().clearTimer(timer);
  },
  /** Blocks, as on the device (meant for short hardware delays). */
  delay(ms: number): void {
    const end = Date.now() + interval(ms);
    while (Date.now() < end);
  },
};

export default Timer;
