// impnet-peer flood mode. Durations and pacing run on a ManualClock that a
// test moves after the traffic it waits for has arrived; whatever a run sends
// is accounted for as received by the collector or dropped by the kernel at
// the collector's full socket buffer, never left to a settling sleep.

import test from "ava";
import { ManualClock } from "../../hosts/peer/clock.ts";
import { runFlood } from "../../hosts/peer/flood.ts";
import { decodeProbe, probeIntact } from "../../hosts/peer/probe.ts";
import { kernelDrops, turn, udpSocketState, until } from "../support/wait.ts";
import { collector, recordingEcho, stepPerProbe, sum } from "./helpers.ts";

/** Moves `clock` on in 10 ms steps until `run` settles (for the part of a run after its sends, where time only ends waits). */
async function finishOn<T>(clock: ManualClock, run: Promise<T>): Promise<T> {
  let settled = false;
  void run.then(
    () => (settled = true),
    () => (settled = true),
  );
  await until(() => {
    if (!settled) clock.advance(10);
    return settled;
  }, "the run to end");
  return run;
}

const stampMs = (m: Buffer) => decodeProbe(m)!.timestampUs / 1000;

test("flood --count sends exactly that many numbered probes", async (t) => {
  const c = await collector();
  try {
    // A collector never replies: no reply window needed.
    const doc = await runFlood({ target: c.target, count: 5000, size: 128, timeoutMs: 1 });
    const r = doc.results[0]!;
    t.is(r.sent, 5000);
    t.is(r.bytes, 5000 * 128);
    t.is(r.errors.send, 0);
    t.true(r.sentPps > 0);
    t.is(sum(r.timeline.series.sent!), 5000);
    await until(() => c.msgs.length + kernelDrops("127.0.0.1", c.port) === 5000, "every probe received or dropped by the kernel");
    // what arrived is the flood's own stream, in order and intact
    let prev = -1;
    for (const m of c.msgs) {
      const h = decodeProbe(m)!;
      t.truthy(h);
      t.true(h.seq > prev);
      prev = h.seq;
    }
    t.true(c.msgs.every((m) => m.length === 128 && probeIntact(m)));
  } finally {
    await c.close();
  }
});

test("flood --duration sends until the duration and not after (manual clock)", async (t) => {
  const c = await collector();
  const clock = new ManualClock();
  try {
    const run = runFlood({ target: c.target, durationMs: 300, size: 64, timeoutMs: 50, clock });
    await until(() => c.msgs.length > 0, "the flood to start");
    clock.advance(299);
    await until(() => c.msgs.some((m) => stampMs(m) === 299), "probes sent at 299 ms");
    clock.advance(1);
    const doc = await finishOn(clock, run);
    const r = doc.results[0]!;
    t.is(doc.options.count, null);
    t.is(doc.options.durationMs, 300);
    t.is(r.durationMs, 299, "the last sends left at 299 ms");
    await until(() => c.msgs.length + kernelDrops("127.0.0.1", c.port) === r.sent, "every probe received or dropped by the kernel");
    t.true(
      c.msgs.every((m) => stampMs(m) < 300),
      "nothing sent at or after 300 ms",
    );
  } finally {
    await c.close();
  }
});

test("flood --rate sends probe n at exactly n / rate (manual clock)", async (t) => {
  const c = await collector();
  const clock = new ManualClock();
  try {
    const run = runFlood({ target: c.target, durationMs: 500, rate: 100, timeoutMs: 50, clock });
    const seen = await stepPerProbe(c.msgs, clock, 50, 10);
    t.deepEqual(seen, Array.from({ length: 50 }, (_, k) => k + 1), "no probe ahead of its time");
    const doc = await finishOn(clock, run);
    const r = doc.results[0]!;
    t.is(r.sent, 50);
    t.deepEqual(
      c.msgs.map(stampMs),
      Array.from({ length: 50 }, (_, k) => k * 10),
    );
    t.is(r.durationMs, 490);
    t.is(r.sentPps, 102, "50 probes over the 490 ms from the first send to the last, to 0.1");
  } finally {
    await c.close();
  }
});

test("flood counts replies and sweeps sizes (manual clock)", async (t) => {
  const server = await recordingEcho();
  const clock = new ManualClock();
  // Each step's reply window ends only after the server echoed the whole step
  // and the flood's socket has no reply left unread (or counted as dropped).
  const dropsAtEnd: number[] = [];
  let quiet = 0;
  let settled = false;
  const run = runFlood({ target: server.target, count: 200, size: [32, 512], timeoutMs: 100, clock });
  void run.then(
    () => (settled = true),
    () => (settled = true),
  );
  try {
    await until(() => {
      if (settled) return true;
      const step = server.senders.size;
      if (step === 0 || server.echoed < 200 * step) return false;
      const state = udpSocketState("0.0.0.0", [...server.senders][step - 1]!);
      quiet = state.rxQueue === 0 ? quiet + 1 : 0;
      if (quiet >= 2) {
        dropsAtEnd[step - 1] = state.drops;
        clock.advance(10);
      }
      return false;
    }, "both steps to end");
    const doc = await run;
    t.is(doc.results.length, 2);
    doc.results.forEach((r, i) => {
      t.is(r.sent, 200);
      t.is(r.replies.packets + dropsAtEnd[i]!, 200, `size ${r.size}: every echo counted or dropped by the kernel`);
      t.is(r.replies.bytes, r.replies.packets * r.size);
    });
    t.is(server.echoed, 400);
  } finally {
    await server.close();
  }
});
