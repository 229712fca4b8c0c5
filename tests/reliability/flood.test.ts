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
 * XS behind: delivery held, so the simulator's queue limit must drop the
 * excess and count it, whatever the speed of the machine.
 *
 * Send: the rate limiter (when on) holds under a flood of sends with the
 * documented codes: 100 datagrams out of a full bucket, then
 * SEND_ERROR_RATE_LIMITED (4), refilling at 25 per second (bounded from both
 * sides by measured times; the exact arithmetic is unit-tested on a virtual
 * clock in tests/unit/ratelimit.test.ts); off, every send goes out.
 */
import test from "ava";
import { UdpClient } from "../support/sim";
import { ADDRESS, kernelDrops, mib, SIZES, sleep, until } from "./common";
import { appStats, startHarness } from "./harness";
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

test.serial("XS behind a flood: the simulator's queue limit drops the excess, counts it, and the app answers afterwards", async (t) => {
  // Delivery to XS is held, so the queue fills whatever the speed of this machine:
  // 1000 datagrams against a queue of 200 must be 200 delivered and 800 counted as dropped.
  const harness = await startHarness({ address: ADDRESS.flood, maxQueuedPackets: 200, maxBatchPackets: 64 });
  const client = await UdpClient.open(ADDRESS.peers[0]);
  try {
    const sim = harness.sim;
    await harness.request("echo", { on: false });
    const before = await appStats(harness);
    const heapBefore = await sim.heap();
    const start = { in: sim.stats.packetsIn, queueFull: sim.stats.droppedQueueFull, kernel: kernelDrops(harness.address, harness.echoPort) };
    const taken = (): number => sim.stats.packetsIn - start.in + sim.stats.droppedQueueFull - start.queueFull;
    sim.holdDelivery(true);
    // In chunks of 50, each once the simulator has taken in the previous ones: its socket buffer never overflows.
    for (let sent = 0; sent < 1000; ) {
      for (let i = 0; i < 50; i++, sent++) await client.send(`d${sent}`, harness.echoPort, harness.address);
      await until(() => taken() >= sent, `the simulator to take in ${sent} datagrams`);
    }
    t.is(sim.stats.packetsIn - start.in, 200, "the queue holds 200");
    t.is(sim.stats.droppedQueueFull - start.queueFull, 800, "the other 800 are counted as dropped");
    t.is(kernelDrops(harness.address, harness.echoPort) - start.kernel, 0, "none dropped by the OS");
    sim.holdDelivery(false);
    const after = await appStats(harness);
    t.is(after.received - before.received, 200, "the app got the 200 queued datagrams");
    await harness.request("echo", { on: true });
    await client.send("after the flood", harness.echoPort, harness.address);
    await until(() => client.replies.some((reply) => reply.data.toString() === "after the flood"), "the app's answer after the flood");
    const heapAfter = await sim.heap();
    t.true(Math.abs(heapAfter - heapBefore) <= 64, `XS heap back to its baseline: ${heapBefore} → ${heapAfter}`);
    t.deepEqual(harness.crashes, []);
  } finally {
    client.close();
    await harness.stop();
  }
});

test.serial("a flood of sends with the rate limiter on: 100 out of a full bucket, then code 4, refilling at 25/s", async (t) => {
  const harness = await startHarness({ address: ADDRESS.flood, rateLimit: true });
  const sink = await UdpClient.open(ADDRESS.peers[1]);
  try {
    const sim = harness.sim;
    const target = { address: ADDRESS.peers[1], port: sink.port, size: 16 };
    const outBefore = sim.stats.packetsOut;
    // One command: the board clock does not move inside it, so the bucket cannot refill.
    let sentAt = performance.now();
    const first = (await harness.request("burst", { ...target, count: 1000 })) as [number, number][];
    let answeredAt = performance.now();
    t.deepEqual(first, [
      [0, 100],
      [RATE_LIMITED, 900],
    ]);
    // Refill, bounded from both sides by times measured here (the board clock is this
    // process's clock): each burst of 100 runs at a board time between its request and
    // its answer and empties the bucket (under one token left), so the next one finds
    // 25 tokens per second of the gap between the two, up to the cap of 100.
    let accepted = 0;
    for (let round = 0; round < 2; round++) {
      await sleep(1000); // a gap of at least 1 s: at least 25 tokens
      const previousSent = sentAt;
      const previousAnswered = answeredAt;
      sentAt = performance.now();
      const burst = (await harness.request("burst", { ...target, count: 100 })) as [number, number][];
      answeredAt = performance.now();
      const ok = burst.filter(([code]) => code === 0).reduce((n, [, k]) => n + k, 0);
      t.true(
        burst.every(([code]) => code === 0 || code === RATE_LIMITED),
        `only 0 and SEND_ERROR_RATE_LIMITED: ${JSON.stringify(burst)}`,
      );
      const lower = Math.min(100, Math.floor((25 * (sentAt - previousAnswered)) / 1000));
      const upper = Math.min(100, Math.floor(1 + (25 * (answeredAt - previousSent)) / 1000));
      t.log(`rate limiter: burst after ${((sentAt - previousAnswered) / 1000).toFixed(2)}-${((answeredAt - previousSent) / 1000).toFixed(2)} s → ${ok} sent (bounds ${lower}..${upper})`);
      t.true(ok >= lower && ok <= upper, `${ok} outside ${lower}..${upper}`);
      accepted += ok;
    }
    t.is(sim.stats.packetsOut - outBefore, 100 + accepted, "exactly the datagrams that send() accepted went out");
    await until(() => sink.replies.length + kernelDrops(ADDRESS.peers[1], sink.port) >= 100 + accepted, "the sink to get every accepted datagram");
    t.is(sink.replies.length + kernelDrops(ADDRESS.peers[1], sink.port), 100 + accepted, "received or dropped by the sink's full buffer");
    // Off: every send goes out (the sink's own socket buffer may overflow: the OS counts those).
    await harness.request("ratelimit", { on: false });
    const before = sink.replies.length;
    const dropsBefore = kernelDrops(ADDRESS.peers[1], sink.port);
    const offBefore = sim.stats.packetsOut;
    const off = (await harness.request("burst", { ...target, count: 1000 })) as [number, number][];
    t.deepEqual(off, [[0, 1000]]);
    t.is(sim.stats.packetsOut - offBefore, 1000);
    const arrived = (): number => sink.replies.length - before + kernelDrops(ADDRESS.peers[1], sink.port) - dropsBefore;
    await until(() => arrived() >= 1000, "1000 datagrams at the sink");
    t.is(arrived(), 1000, "received or dropped by the sink's full buffer");
    t.deepEqual(harness.crashes, []);
  } finally {
    sink.close();
    await harness.stop();
  }
});
