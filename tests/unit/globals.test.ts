/**
 * The Squirrel and impOS globals device code uses next to UDP
 * (docs/compatibility.md §7): `swap2`, `swap4`, `swapfloat`,
 * `hardware.millis()`, `hardware.micros()`, `time()`, and the timers
 * `imp.wakeup()` / `imp.cancelwakeup()` on the fake network's virtual clock
 * (the port's `schedule`/`cancel`).
 */
import test from "ava";
import { swap2, swap4, swapfloat } from "../../modules/impnet/core/swap";
import { time } from "../../modules/impnet/core/clock";
import { format } from "../../modules/impnet/core/format";
import { newDevice } from "../support/device";

// ---------------------------------------------------------------- swap2, swap4, swapfloat

test("swap2 swaps the two low bytes and zeroes the rest (the impOS examples)", (t) => {
  t.is(format("0x%X", swap2(0x1a2b)), "0x2B1A");
  t.is(format("0x%X", swap2(0x1a2b3c4d)), "0x4D3C");
  t.is(swap2(0), 0);
  t.is(swap2(-1), 0xffff);
  t.is(swap2(0x1234 + 0.9), 0x3412, "a float is truncated first");
});

test("swap4 reverses the four bytes of a 32-bit integer, giving a signed integer", (t) => {
  t.is(format("0x%X", swap4(0x1a2b3c4d)), "0x4D3C2B1A");
  t.is(swap4(0xff), -16777216);
  t.is(swap4(swap4(-123456789)), -123456789);
  t.is(swap4(2 ** 32 + 0x01020304), 0x04030201, "wrapped to 32 bits first");
});

test("swapfloat reverses the bytes of a 32-bit float", (t) => {
  const bytes = (value: number): number[] => {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    return [0, 1, 2, 3].map((i) => view.getUint8(i));
  };
  t.deepEqual(bytes(1), [0x00, 0x00, 0x80, 0x3f]);
  t.deepEqual(bytes(swapfloat(1)), [0x3f, 0x80, 0x00, 0x00]);
  t.is(swapfloat(swapfloat(-2.5)), -2.5);
  t.is(swapfloat(swapfloat(0.1)), Math.fround(0.1), "rounded to 32 bits, as Squirrel's floats are");
});

test("swap2, swap4 and swapfloat refuse what is not a number", (t) => {
  t.throws(() => swap2("1" as never), { instanceOf: TypeError, message: 'swap2: value "1" is not a number' });
  t.throws(() => swap4(null as never), { instanceOf: TypeError, message: "swap4: value null is not a number" });
  t.throws(() => swapfloat(true as never), { instanceOf: TypeError, message: "swapfloat: value true is not a number" });
});

// ---------------------------------------------------------------- clocks

test("hardware.millis() counts the host clock's milliseconds from start, as a wrapping 32-bit integer", (t) => {
  const { world, runtime } = newDevice();
  t.is(runtime.hardware.millis(), 0);
  world.lan.clock.advance(1234);
  t.is(runtime.hardware.millis(), 1234);
  world.lan.clock.advance(2 ** 31 - 1234);
  t.is(runtime.hardware.millis(), -(2 ** 31), "negative after 2^31 ms, like a Squirrel integer");
  const before = runtime.hardware.millis();
  world.lan.clock.advance(10);
  t.true(runtime.hardware.millis() - before > 0, "(a - b) > 0 still orders times across the wrap");
});

test("hardware.micros() counts microseconds on the same clock and wraps after 2^31", (t) => {
  const { world, runtime } = newDevice();
  world.lan.clock.advance(3);
  t.is(runtime.hardware.micros(), 3000);
  world.lan.clock.advance(2147484 - 3);
  t.is(runtime.hardware.micros(), (2147484000 | 0));
  t.true(runtime.hardware.micros() < 0);
});

test("time() is the Unix time in whole seconds", (t) => {
  const before = Math.floor(Date.now() / 1000);
  const now = time();
  const after = Math.floor(Date.now() / 1000);
  t.true(Number.isInteger(now));
  t.true(now >= before && now <= after, `${before} <= ${now} <= ${after}`);
});

// ---------------------------------------------------------------- imp.wakeup / imp.cancelwakeup

test("imp.wakeup calls back once, after the interval, with no arguments", (t) => {
  const { world, imp } = newDevice();
  const calls: unknown[][] = [];
  const timer = imp.wakeup(0.5, (...args: unknown[]) => void calls.push(args));
  t.not(timer, null);
  world.lan.clock.advance(499);
  t.is(calls.length, 0);
  world.lan.clock.advance(1);
  t.deepEqual(calls, [[]]);
  world.lan.clock.advance(10_000);
  t.is(calls.length, 1);
});

test("intervals have centisecond resolution: a positive interval rounds up to 10 ms, 0 runs on the next turn", (t) => {
  const { world, imp } = newDevice();
  const fired: string[] = [];
  const at = (label: string) => () => void fired.push(`${label}@${world.lan.clock.now()}`);
  imp.wakeup(0.000001, at("0.000001"));
  imp.wakeup(0.015, at("0.015"));
  imp.wakeup(0.07, at("0.07"));
  imp.wakeup(0, at("0"));
  imp.wakeup(2, at("2"));
  world.lan.clock.advance(3000);
  t.deepEqual(fired, ["0@0", "0.000001@10", "0.015@20", "0.07@70", "2@2000"]);
});

test("timers due at the same time fire in the order they were set", (t) => {
  const { world, imp } = newDevice();
  const fired: number[] = [];
  for (let i = 0; i < 5; i++) imp.wakeup(0.1, () => void fired.push(i));
  world.lan.clock.advance(100);
  t.deepEqual(fired, [0, 1, 2, 3, 4]);
});

test("imp.cancelwakeup stops a pending timer; cancelling a fired or cancelled timer does nothing", (t) => {
  const { world, imp } = newDevice();
  const fired: string[] = [];
  const a = imp.wakeup(0.1, () => void fired.push("a"));
  const b = imp.wakeup(0.2, () => void fired.push("b"));
  imp.cancelwakeup(a!);
  imp.cancelwakeup(a!);
  world.lan.clock.advance(300);
  t.deepEqual(fired, ["b"]);
  t.notThrows(() => imp.cancelwakeup(b!));
  t.is(world.lan.clock.pending(), 0, "nothing left on the host's timers");
});

test("a callback can cancel another timer due at the same time, and re-arm itself (a periodic timer)", (t) => {
  const { world, imp } = newDevice();
  const fired: string[] = [];
  let victim: ReturnType<typeof imp.wakeup> = null;
  imp.wakeup(0.1, () => {
    fired.push("first");
    imp.cancelwakeup(victim!);
  });
  victim = imp.wakeup(0.1, () => void fired.push("victim"));
  let ticks = 0;
  const tick = (): void => {
    fired.push(`tick ${++ticks}`);
    if (ticks < 3) imp.wakeup(1, tick);
  };
  imp.wakeup(1, tick);
  world.lan.clock.advance(10_000);
  t.deepEqual(fired, ["first", "tick 1", "tick 2", "tick 3"]);
});

test("an exception in a wakeup callback is reported like other callbacks, and other timers still fire", (t) => {
  const { world, imp } = newDevice();
  const fired: string[] = [];
  imp.wakeup(0.1, () => {
    throw new Error("timer bug");
  });
  imp.wakeup(0.1, () => void fired.push("next"));
  world.lan.clock.advance(100);
  t.deepEqual(fired, ["next"]);
  t.is(world.log.errors.length, 1);
  t.regex(world.log.errors[0], /^imp\.wakeup callback threw: Error: timer bug/);
  const caught: unknown[] = [];
  imp.onunhandledexception((error) => void caught.push(error));
  imp.wakeup(0, () => {
    throw new RangeError("handled");
  });
  world.lan.clock.flush();
  t.is((caught[0] as Error).message, "handled");
  t.is(world.log.errors.length, 1);
});

test("imp.wakeup refuses a bad interval or callback and schedules nothing", (t) => {
  const { world, imp } = newDevice();
  const noop = (): void => {};
  t.throws(() => imp.wakeup("1" as never, noop), { instanceOf: TypeError, message: 'imp.wakeup: interval "1" is not a number' });
  for (const interval of [-1, -0.001, NaN, Infinity, 10737418.5]) {
    t.throws(() => imp.wakeup(interval, noop), { instanceOf: RangeError, message: `imp.wakeup: interval ${interval} is outside 0-10737418 seconds` });
  }
  t.throws(() => imp.wakeup(1, null as never), { instanceOf: TypeError, message: "imp.wakeup: callback must be a function, not null" });
  t.is(world.lan.clock.pending(), 0);
  t.not(imp.wakeup(10737418, noop), null, "the longest interval impOS allows");
});

test("imp.wakeup returns null when the host cannot make a timer; imp.cancelwakeup refuses non-timers", (t) => {
  const { world, imp } = newDevice();
  world.device.timersFail = true;
  t.is(imp.wakeup(1, () => {}), null);
  for (const value of [null, undefined, 1, {}, "timer"]) {
    t.throws(() => imp.cancelwakeup(value as never), { instanceOf: TypeError, message: /^imp\.cancelwakeup: timer .* is not a timer from imp\.wakeup$/ });
  }
});
