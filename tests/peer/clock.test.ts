// The ManualClock the peer's time logic is tested on: if it fired timers out
// of order or at the wrong time, the manual-clock tests would prove nothing.

import test from "ava";
import { ManualClock, realClock, sleepOn } from "../../hosts/peer/clock.ts";

test("timers fire inside advance, in time order, ties in the order they were set, with now() at their due time", (t) => {
  const clock = new ManualClock(100);
  const fired: string[] = [];
  clock.after(20, () => fired.push(`b@${clock.now()}`));
  clock.after(10, () => fired.push(`a@${clock.now()}`));
  clock.after(20, () => fired.push(`c@${clock.now()}`));
  clock.advance(19);
  t.deepEqual(fired, ["a@110"]);
  t.is(clock.now(), 119);
  clock.advance(1);
  t.deepEqual(fired, ["a@110", "b@120", "c@120"]);
  t.is(clock.pending, 0);
});

test("an interval repeats at its period; cancelling stops it; timers set while advancing fire when due", (t) => {
  const clock = new ManualClock();
  const ticks: number[] = [];
  const nested: number[] = [];
  const cancel = clock.every(25, () => {
    ticks.push(clock.now());
    if (clock.now() === 50) clock.after(10, () => nested.push(clock.now()));
  });
  clock.advance(100);
  t.deepEqual(ticks, [25, 50, 75, 100]);
  t.deepEqual(nested, [60]);
  cancel();
  cancel();
  clock.advance(100);
  t.deepEqual(ticks, [25, 50, 75, 100]);
  t.is(clock.pending, 0);
});

test("a cancelled one-shot timer never fires, and time cannot go back", (t) => {
  const clock = new ManualClock();
  let fired = 0;
  const cancel = clock.after(5, () => fired++);
  cancel();
  clock.advance(10);
  t.is(fired, 0);
  t.throws(() => clock.advance(-1), { instanceOf: RangeError });
});

test("sleepOn resolves on the clock it is given", async (t) => {
  const clock = new ManualClock();
  let done = false;
  const sleeping = sleepOn(clock, 50).then(() => (done = true));
  clock.advance(49);
  await Promise.resolve();
  t.false(done);
  clock.advance(1);
  await sleeping;
  t.true(done);
  await sleepOn(realClock, 1); // and on the wall clock's timers
});
