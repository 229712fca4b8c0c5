// impnet-peer sink mode. Its idle and duration ends run on a ManualClock, so
// a test decides when time passes; a sink without an end is stopped by
// aborting it once every datagram sent is accounted for (received by the sink
// or dropped by the kernel at its full socket buffer).

import test from "ava";
import type dgram from "node:dgram";
import { ManualClock } from "../../hosts/peer/clock.ts";
import { runFlood } from "../../hosts/peer/flood.ts";
import { encodeProbe, patternId } from "../../hosts/peer/probe.ts";
import { kernelDrops, until } from "../support/wait.ts";
import { loopbackSocket, startSink } from "./helpers.ts";

function send(s: dgram.Socket, buf: Buffer, port: number): Promise<void> {
  return new Promise((r, j) => s.send(buf, port, "127.0.0.1", (e) => (e ? j(e) : r())));
}

test("sink accounts for a probe stream: gaps, duplicates, reordering, corruption, sources", async (t) => {
  const runId = 0xfeedbeef;
  const pid = patternId("counter");
  const order: number[] = [];
  for (let s = 0; s < 100; s++) {
    if (s === 5 || s === 6 || s === 7 || s === 50) continue; // lost
    if (s === 60) continue; // sent after 61
    order.push(s);
    if (s === 61) order.push(60);
    if (s === 20 || s === 30) order.push(s); // duplicates
  }
  const plain = 10;
  const total = order.length + plain;
  // The clock never moves: only the count ends this sink.
  const { port, report } = await startSink({ count: total, timeoutMs: 5000, clock: new ManualClock() });
  const a = await loopbackSocket();
  const b = await loopbackSocket();
  try {
    for (const s of order) {
      const buf = encodeProbe(Buffer.alloc(48), pid, runId, s, s * 100);
      if (s === 70) buf[40] = buf[40]! ^ 1; // corrupted payload
      await send(a, buf, port);
    }
    for (let i = 0; i < plain; i++) await send(b, Buffer.from(`plain datagram ${i}`), port);
    const doc = await report;
    const r = doc.results[0]!;
    t.is(doc.mode, "sink");
    t.is(r.endReason, "count");
    t.is(r.packets, total);
    t.is(r.probes, order.length);
    t.is(r.sources.length, 2);
    const srcA = r.sources.find((x) => x.port === a.address().port)!;
    const srcB = r.sources.find((x) => x.port === b.address().port)!;
    t.is(srcA.packets, order.length);
    t.is(srcA.bytes, order.length * 48);
    t.is(srcB.packets, plain);
    t.is(r.streams.length, 1);
    const st = r.streams[0]!;
    t.is(st.runId, runId);
    t.is(st.pattern, "counter");
    t.is(st.expected, 100);
    t.is(st.received, 96);
    t.is(st.lost, 4);
    t.is(st.duplicated, 2);
    t.is(st.reordered, 1);
    t.is(st.corrupted, 1);
    t.is(st.firstSeq, 0);
    t.is(st.maxSeq, 99);
    t.deepEqual(st.lossBursts.lengths, [
      [1, 1],
      [3, 1],
    ]);
    t.deepEqual(r.totals, { received: 96, expected: 100, lost: 4, duplicated: 2, reordered: 1, corrupted: 1 });
    t.is(
      r.timeline.series.lost!.reduce((x, y) => x + y, 0),
      4,
    );
  } finally {
    a.close();
    b.close();
  }
});

test("sink ends after an idle timeout when nothing arrives (manual clock)", async (t) => {
  const clock = new ManualClock();
  const { report } = await startSink({ timeoutMs: 200, clock });
  clock.advance(1000);
  const doc = await report;
  const r = doc.results[0]!;
  t.is(r.endReason, "idle");
  t.is(r.durationMs, 200, "ended at the first check at or after 200 ms idle");
  t.is(r.packets, 0);
  t.deepEqual(r.sources, []);
});

test("sink ends after --duration and counts non-probe traffic (manual clock)", async (t) => {
  const clock = new ManualClock();
  let seen = 0;
  const { port, report } = await startSink({ durationMs: 300, clock, onDatagram: (n) => (seen = n) });
  const s = await loopbackSocket();
  try {
    for (let i = 0; i < 25; i++) await send(s, Buffer.alloc(100, i), port);
    await until(() => seen === 25, "the sink to count 25 datagrams");
    clock.advance(1000);
    const doc = await report;
    const r = doc.results[0]!;
    t.is(r.endReason, "duration");
    t.is(r.durationMs, 300, "ended at the first check at or after 300 ms");
    t.is(r.packets, 25);
    t.is(r.bytes, 2500);
    t.is(r.probes, 0);
    t.is(r.streams.length, 0);
  } finally {
    s.close();
  }
});

test("flood into sink: the sink sees the flood's sequence stream", async (t) => {
  let seen = 0;
  const ac = new AbortController();
  const { port, report } = await startSink({ signal: ac.signal, onDatagram: (n) => (seen = n) });
  // No replies come from a sink: no need to wait for any after the flood.
  const flood = await runFlood({ target: `127.0.0.1:${port}`, count: 3000, size: 200, pattern: "ones", timeoutMs: 1 });
  await until(() => seen + kernelDrops("127.0.0.1", port) === 3000, "every datagram received by the sink or dropped by the kernel");
  const drops = kernelDrops("127.0.0.1", port);
  ac.abort();
  const doc = await report;
  const f = flood.results[0]!;
  const r = doc.results[0]!;
  t.is(f.sent, 3000);
  t.is(f.bytes, 600_000);
  t.is(r.packets + drops, 3000);
  t.is(r.streams.length, 1);
  const st = r.streams[0]!;
  t.is(st.pattern, "ones");
  t.is(st.received, r.packets);
  t.is(st.duplicated, 0);
  t.is(st.corrupted, 0);
  t.is(st.received + st.lost, st.expected);
  t.true(st.expected <= 3000);
  t.log(`sink got ${r.packets} of 3000 (${drops} dropped by the kernel, lost ${st.lost} inside the stream)`);
});

test("sink stops when aborted", async (t) => {
  const ac = new AbortController();
  const { report } = await startSink({ signal: ac.signal });
  ac.abort();
  const doc = await report;
  t.is(doc.results[0]!.endReason, "aborted");
  t.true(doc.aborted);
});
