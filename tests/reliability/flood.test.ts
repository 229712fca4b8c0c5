/**
 * Floods (issue "Reliability and security", item 4).
 *
 * Receive: IMPNET_FLOOD datagrams (default 100 000; the soak runner sends
 * 1 000 000) into one socket of the harness app, as fast as a separate
 * sender process (impnet-peer flood) can send them. The app must not crash,
 * every datagram must be accounted for (delivered to the callback, dropped
 * by the simulator's queue limit, or dropped by the OS on a full socket
 * buffer: each counted), the XS heap must come back to its baseline and its
 * high-water mark must not grow with the flood's length, and the app must
 * answer afterwards.
 *
 * Send: the rate limiter (when on) holds under a flood of sends with the
 * documented codes: 100 datagrams out of a full bucket, then
 * SEND_ERROR_RATE_LIMITED (4), refilling at 25 per second; off, every send
 * goes out.
 */
import test from "ava";
import { UdpClient } from "../support/sim";
import { ADDRESS, kernelDrops, mib, SIZES, sleep, until } from "./common";
import { startHarness } from "./harness";
import { runFlood, type FloodResult } from "./scenarios";

const RATE_LIMITED = 4;

function describe(r: FloodResult): string {
  return (
    `${r.sent} sent in ${(r.durationMs / 1000).toFixed(1)} s (${Math.round(r.sent / (r.durationMs / 1000))}/s), ` +
    `${r.delivered} delivered, ${r.droppedQueueFull} dropped by the simulator's queue limit, ${r.droppedKernel} dropped by the OS (socket buffer full), ` +
    `${r.senderErrors} send errors; XS heap ${r.heapBefore} → ${r.heapAfter} slots after gc, high-water ${r.heapHighWater} slots, ` +
    `XS heap reserved ${mib(r.xsAllocate)}, XS RSS peak ${mib(r.xsRssPeak)}, Node RSS peak ${mib(r.nodeRssPeak)}`
  );
}

test.serial("a receive flood: no crash, every datagram accounted for, memory bounded, the app answers afterwards", async (t) => {
  const count = SIZES.flood();
  const harness = await startHarness({ address: ADDRESS.flood });
  try {
    // A short flood first: the high-water mark of a flood ten times longer must not be higher.
    const short = await runFlood(harness, ADDRESS.peers[0], Math.max(1000, Math.floor(count / 10)));
    const long = await runFlood(harness, ADDRESS.peers[0], count);
    t.log(`short flood: ${describe(short)}`);
    t.log(`flood: ${describe(long)}`);
    for (const r of [short, long]) {
      t.is(r.sent - r.senderErrors, r.delivered + r.droppedQueueFull + r.droppedKernel, "every datagram delivered or counted as dropped");
      t.true(r.delivered > 0);
      t.true(r.answeredAfter, "the app answers after the flood");
      t.true(Math.abs(r.heapAfter - r.heapBefore) <= 64, `XS heap back to its baseline: ${r.heapBefore} → ${r.heapAfter}`);
    }
    // Bounded: the longer flood needs no more heap than the short one (batches are bounded, nothing accumulates).
    t.true(long.xsAllocate <= short.xsAllocate * 1.25 + 4 * 1048576, `XS heap reserved grew with the flood: ${mib(short.xsAllocate)} → ${mib(long.xsAllocate)}`);
    t.deepEqual(harness.crashes, []);
    t.deepEqual(harness.errors, []);
    t.is(harness.sim.stats.osSockets, 1);
  } finally {
    await harness.stop();
  }
});

test.serial("a flood past the simulator's own queue limit: its drops are counted, the app answers afterwards", async (t) => {
  // A queue of 200 datagrams: the simulator, not the OS, has to drop most of the flood.
  const harness = await startHarness({ address: ADDRESS.flood, maxQueuedPackets: 200, maxBatchPackets: 64, echoPort: 7003 });
  try {
    const r = await runFlood(harness, ADDRESS.peers[0], Math.max(10_000, Math.floor(SIZES.flood() / 5)));
    t.log(`queue limit 200: ${describe(r)}`);
    t.true(r.droppedQueueFull > 0, "the queue limit dropped datagrams");
    t.is(r.sent - r.senderErrors, r.delivered + r.droppedQueueFull + r.droppedKernel, "every datagram delivered or counted as dropped");
    t.true(r.answeredAfter);
    t.true(Math.abs(r.heapAfter - r.heapBefore) <= 64, `XS heap back to its baseline: ${r.heapBefore} → ${r.heapAfter}`);
    t.deepEqual(harness.crashes, []);
  } finally {
    await harness.stop();
  }
});

test.serial("a flood of sends with the rate limiter on: 100 out of a full bucket, then code 4, refilling at 25/s", async (t) => {
  const harness = await startHarness({ address: ADDRESS.flood, rateLimit: true, echoPort: 7001 });
  const sink = await UdpClient.open(ADDRESS.peers[1]);
  try {
    const target = { address: ADDRESS.peers[1], port: sink.port, size: 16 };
    // One command: the board clock does not move inside it, so the bucket cannot refill.
    const beforeFirst = performance.now();
    const first = (await harness.request("burst", { ...target, count: 1000 })) as [number, number][];
    t.deepEqual(first, [
      [0, 100],
      [RATE_LIMITED, 900],
    ]);
    await until(() => sink.replies.length >= 100, "the 100 datagrams", 5000);
    // Sustained: a burst every 50 ms for about 2 s. Each burst empties the bucket, so the total
    // is 100 + 25/s over the time between the first and the last burst, which lies between the
    // two bounds measured here (no assumption about how fast this machine is).
    const t0 = performance.now();
    const runs: [number, number][][] = [];
    let firstAnswered = 0;
    let lastSent = 0;
    while (performance.now() - t0 < 2000) {
      lastSent = performance.now();
      runs.push((await harness.request("burst", { ...target, count: 100 })) as [number, number][]);
      if (firstAnswered === 0) firstAnswered = performance.now();
      await sleep(50);
    }
    const end = performance.now();
    const accepted = runs.flat().filter(([code]) => code === 0).reduce((n, [, k]) => n + k, 0);
    const codes = new Set(runs.flat().map(([code]) => code));
    // Upper: under 1 token left by the burst of 1000, plus 25/s since then.
    const upper = 1 + (25 * (end - beforeFirst)) / 1000;
    // Lower: at least 25/s over the time between the first answer and the last request.
    const lower = Math.floor((25 * (lastSent - firstAnswered)) / 1000) - 1;
    t.log(`rate limiter: burst of 1000 → 100 sent, 900 × code 4; then ${runs.length} bursts over ${((end - t0) / 1000).toFixed(2)} s → ${accepted} sent (bounds ${lower}..${upper.toFixed(1)})`);
    t.deepEqual([...codes].sort(), [0, RATE_LIMITED], "only 0 and SEND_ERROR_RATE_LIMITED");
    t.true(accepted <= upper, `${accepted} > ${upper}`);
    t.true(accepted >= lower, `${accepted} < ${lower}`);
    await until(() => sink.replies.length >= 100 + accepted, "the sink to get every accepted datagram", 5000);
    await sleep(100);
    t.is(sink.replies.length, 100 + accepted, "the sink got exactly the datagrams that send() accepted");
    // Off: every send goes out (the sink's own socket buffer may overflow: the OS counts those).
    await harness.request("ratelimit", { on: false });
    const before = sink.replies.length;
    const dropsBefore = kernelDrops(ADDRESS.peers[1], sink.port);
    const outBefore = harness.sim.stats.packetsOut;
    const off = (await harness.request("burst", { ...target, count: 1000 })) as [number, number][];
    t.deepEqual(off, [[0, 1000]]);
    t.is(harness.sim.stats.packetsOut - outBefore, 1000);
    const arrived = (): number => sink.replies.length - before + kernelDrops(ADDRESS.peers[1], sink.port) - dropsBefore;
    await until(() => arrived() >= 1000, "1000 datagrams at the sink", 5000).catch(() => undefined);
    t.is(arrived(), 1000, "received or dropped by the sink's full buffer");
    t.deepEqual(harness.crashes, []);
  } finally {
    sink.close();
    await harness.stop();
  }
});
