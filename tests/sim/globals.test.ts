/**
 * The Squirrel globals inside XS (docs/compatibility.md §7): format() and
 * the swaps give the same results as in Node, the clocks count from boot,
 * and imp.wakeup timers run through the Moddable port's `timer` module,
 * which the simulator serves on the PC's clock: in order, not before their
 * time, a cancelled one never, a throwing one reported through server.error.
 */
import test from "ava";
import { runApp } from "../support/sim";

test("format, swaps, clocks and imp.wakeup/imp.cancelwakeup inside XS", async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const run = await runApp("tests/sim/apps/globals.ts");
  try {
    await run.waitFor(/^done$/);
    const after = Math.floor(Date.now() / 1000);
    t.true(run.logs.includes("format 10.0.0.1:1234| 3.14|ff  |A|1.234568e+04|0.0001|%"), run.logs.join("\n"));
    t.true(run.logs.includes("swap 0x4D3C 0x4D3C2B1A -16777216 -2.5"));
    t.true(run.logs.includes('format error TypeError: format: integer expected for the specified format ("%d" at index 0 got "not a number")'));
    const now = Number(/^time (\d+)$/.exec(run.logs.find((l) => l.startsWith("time ")) ?? "")?.[1]);
    t.true(now >= before && now <= after, `time() ${now} within ${before}-${after}`);

    const timers = run.logs.filter((l) => /^(early|late|done|the cancelled)/.test(l));
    t.is(timers.length, 3, timers.join("\n"));
    const early = Number(/^early (\d+)$/.exec(timers[0])?.[1]);
    const [, lateMs, lateUs] = (/^late (-?\d+) (-?\d+)$/.exec(timers[1]) ?? []).map(Number);
    t.true(early >= 50, `the 0.05 s timer ran after ${early} ms`);
    t.true(lateMs >= 200, `the 0.2 s timer ran after ${lateMs} ms`);
    t.true(lateUs >= 200_000 && Math.abs(lateUs / 1000 - lateMs) < 2, `micros ${lateUs} agrees with millis ${lateMs}`);
    t.is(timers[2], "done");
    t.false(run.logs.includes("the cancelled timer fired"));
    t.is(run.errors.length, 1);
    t.regex(run.errors[0], /^imp\.wakeup callback threw: Error: timer failure on purpose/);
    t.deepEqual(run.crashes, []);
  } finally {
    await run.sim.stop();
  }
});
