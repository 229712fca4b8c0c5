// impnet-peer echo mode. Time logic (loss timeouts, pacing, durations) runs
// on a ManualClock that a test moves only after the traffic it waits for has
// arrived, so the outcome never depends on how busy the machine is. Tests on
// the wall clock expect no loss (a generous loss timeout that never fires on
// a healthy run) and assert rates only as bounds that hold on any machine.

import test from "ava";
import { ManualClock } from "../../hosts/peer/clock.ts";
import type { ProgressInfo } from "../../hosts/peer/common.ts";
import { runEcho } from "../../hosts/peer/echo.ts";
import { PATTERNS } from "../../hosts/peer/probe.ts";
import { startRawEcho } from "../../hosts/peer/raw-echo.ts";
import { turn, until } from "../support/wait.ts";
import { loopbackSocket, misbehavingEcho, recordingEcho, stepPerProbe, sum, type Action } from "./helpers.ts";

/** A loss timeout no healthy run reaches on the wall clock: these runs end when every echo is back. */
const NEVER_MS = 60_000;
/** Loss timeout of the manual-clock runs; their housekeeping ticks every TIMEOUT_MS / 4. */
const TIMEOUT_MS = 100;

test("echo against the raw echo: every probe comes back intact, for a size sweep", async (t) => {
  const server = await startRawEcho();
  try {
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, count: 2000, size: [16, 64, 1400], timeoutMs: NEVER_MS });
    t.is(doc.mode, "echo");
    t.deepEqual(
      doc.results.map((r) => r.size),
      [16, 64, 1400],
    );
    for (const r of doc.results) {
      t.is(r.sent, 2000);
      t.is(r.received, 2000);
      t.is(r.lost, 0);
      t.is(r.duplicated, 0);
      t.is(r.reordered, 0);
      t.is(r.corrupted, 0);
      t.is(r.invalid, 0);
      t.is(r.lossBursts.count, 0);
      t.is(r.rttMs?.samples, 2000);
      t.true(r.rttMs!.min <= r.rttMs!.p50 && r.rttMs!.p50 <= r.rttMs!.p99 && r.rttMs!.p99 <= r.rttMs!.max);
      t.true(r.receivedPps > 0);
      t.is(sum(r.timeline.series.sent!), 2000);
      t.is(sum(r.timeline.series.lost!), 0);
    }
    t.is(server.stats.received, 6000);
    t.is(server.stats.echoed, 6000);
  } finally {
    await server.close();
  }
});

test("every payload pattern round-trips without false corruption", async (t) => {
  const server = await startRawEcho();
  try {
    for (const pattern of PATTERNS) {
      const doc = await runEcho({ target: `127.0.0.1:${server.port}`, count: 300, size: 200, pattern, timeoutMs: NEVER_MS });
      t.is(doc.results[0]!.received, 300, pattern);
      t.is(doc.results[0]!.corrupted, 0, pattern);
      t.is(doc.options.pattern, pattern);
    }
  } finally {
    await server.close();
  }
});

test("unpaced echo is closed-loop: never more than --window probes in flight", async (t) => {
  // A server that swallows everything: the peer may send only `window` probes,
  // and the next `window` only when the loss timeout frees the window. The
  // clock stands still in between, so nothing else can make it send.
  const sock = await loopbackSocket();
  const seqs: number[] = [];
  sock.on("message", (msg) => seqs.push(msg.readUInt32BE(8)));
  const port = sock.address().port;
  const clock = new ManualClock();
  try {
    const run = runEcho({ target: `127.0.0.1:${port}`, count: 24, window: 8, timeoutMs: 400, clock });
    for (const round of [0, 1, 2]) {
      await until(() => seqs.length >= 8 * (round + 1), `window ${round + 1}`);
      // A window leaves in one synchronous burst; give any extra probe two more turns to show up.
      await turn();
      await turn();
      t.deepEqual(
        seqs.slice(8 * round),
        [0, 1, 2, 3, 4, 5, 6, 7].map((k) => 8 * round + k),
        `only window ${round + 1} before its timeout`,
      );
      clock.advance(400);
    }
    const doc = await run;
    const r = doc.results[0]!;
    t.is(seqs.length, 24);
    t.is(r.sent, 24);
    t.is(r.received, 0);
    t.is(r.lost, 24);
    t.is(r.lossBursts.count, 1);
    t.is(r.lossBursts.max, 24);
    t.is(r.rttMs, null);
  } finally {
    sock.close();
  }
});

test("paced echo sends probe n at exactly n / rate (manual clock)", async (t) => {
  const server = await recordingEcho();
  const clock = new ManualClock();
  try {
    const run = runEcho({ target: server.target, count: 20, rate: 40, clock });
    // Move time one period at a time, each time after the probe due then has arrived.
    const seen = await stepPerProbe(server.seqs, clock, 20, 25);
    t.deepEqual(seen, Array.from({ length: 20 }, (_, k) => k + 1), "no probe ahead of its time");
    const doc = await run;
    const r = doc.results[0]!;
    t.deepEqual(
      server.stampsUs,
      Array.from({ length: 20 }, (_, k) => k * 25_000),
    );
    t.is(r.sent, 20);
    t.is(r.received, 20);
    t.is(r.sentPps, 40);
    t.is(doc.options.rate, 40);
    t.is(doc.options.window, null);
  } finally {
    await server.close();
  }
});

test("paced echo on the wall clock never runs ahead of the requested rate", async (t) => {
  // Probe n leaves no earlier than n / rate, however fast or busy the machine:
  // a bound, not a measurement (hosts/peer/bench.ts measures how close it gets).
  const server = await startRawEcho();
  try {
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, count: 600, rate: 2000, timeoutMs: NEVER_MS });
    const r = doc.results[0]!;
    t.is(r.sent, 600);
    t.is(r.received, 600);
    t.true(r.sentPps > 0 && r.sentPps <= 2000, `sentPps ${r.sentPps}`);
    t.true(r.durationMs >= 299.5, `durationMs ${r.durationMs}`);
  } finally {
    await server.close();
  }
});

test("duration-limited echo stops at the duration (manual clock)", async (t) => {
  const server = await recordingEcho();
  const clock = new ManualClock();
  try {
    const run = runEcho({ target: server.target, durationMs: 300, rate: 100, clock });
    await stepPerProbe(server.seqs, clock, 30, 10);
    const doc = await run;
    const r = doc.results[0]!;
    t.is(doc.options.count, null);
    t.is(r.sent, 30, "probes at 0, 10, ... 290 ms; none at 300");
    t.deepEqual(
      server.stampsUs,
      Array.from({ length: 30 }, (_, k) => k * 10_000),
    );
    t.is(r.received, 30);
    t.is(r.received + r.lost, r.sent);
  } finally {
    await server.close();
  }
});

/**
 * What the peer must report when the server applies `rule` to probes 1..n in
 * order and the peer has one probe in flight (window 1): a held probe is
 * echoed after the next one, so it times out first (late) and arrives out of
 * order.
 */
function expected(n: number, rule: (i: number) => Action) {
  const emitted: Array<{ seq: number; bad: boolean }> = [];
  let held: { seq: number; bad: boolean } | null = null;
  let holds = 0;
  for (let i = 1; i <= n; i++) {
    const seq = i - 1;
    const a = rule(i);
    if (a === "hold") {
      holds++;
      if (held) emitted.push(held);
      held = { seq, bad: false };
      continue;
    }
    if (a === "echo") emitted.push({ seq, bad: false });
    if (a === "corrupt" || a === "badts") emitted.push({ seq, bad: true });
    if (a === "dup") emitted.push({ seq, bad: false }, { seq, bad: false });
    if (held) emitted.push(held);
    held = null;
  }
  if (held) emitted.push(held);
  const seen = new Set<number>();
  let dup = 0;
  let reordered = 0;
  let corrupted = 0;
  let max = -1;
  for (const e of emitted) {
    if (seen.has(e.seq)) {
      dup++;
      continue;
    }
    seen.add(e.seq);
    if (e.bad) corrupted++;
    if (e.seq < max) reordered++;
    else max = e.seq;
  }
  return { received: seen.size, lost: n - seen.size, dup, reordered, corrupted, late: holds };
}

/**
 * A misbehaving echo for a window-1 run on `clock`: whenever it drops or
 * holds a probe, that probe is the only one in flight, and the server moves
 * the clock to the housekeeping tick that times it out (the probe's send time,
 * read from its header, plus the loss timeout); the peer then sends the next.
 */
function expiringEcho(clock: ManualClock, rule: (i: number) => Action) {
  const tick = TIMEOUT_MS / 4;
  return misbehavingEcho((i, msg) => {
    const action = rule(i);
    if (action === "drop" || action === "hold") {
      const sentAt = msg.readUInt32BE(12) / 1000;
      clock.advance(Math.ceil((sentAt + TIMEOUT_MS) / tick) * tick - clock.now());
    }
    return action;
  });
}

test("loss, duplicate, reorder, corruption and late accounting against a misbehaving echo (manual clock)", async (t) => {
  const rule = (i: number): Action =>
    i % 10 === 0 ? "drop" : i % 7 === 0 ? "dup" : i % 11 === 0 ? "corrupt" : i % 13 === 0 ? "hold" : "echo";
  const n = 500;
  const want = expected(n, rule);
  // sanity of the scenario itself
  t.is(want.lost, 50);
  t.true(want.dup > 50 && want.reordered > 20 && want.corrupted > 30 && want.late > 20);
  const clock = new ManualClock();
  const server = await expiringEcho(clock, rule);
  try {
    const doc = await runEcho({ target: server.target, count: n, size: 64, window: 1, timeoutMs: TIMEOUT_MS, clock });
    const r = doc.results[0]!;
    t.is(r.sent, n);
    t.is(r.received, want.received);
    t.is(r.lost, want.lost);
    t.is(r.duplicated, want.dup);
    t.is(r.reordered, want.reordered);
    t.is(r.corrupted, want.corrupted);
    t.is(r.late, want.late);
    t.is(r.received + r.lost, r.sent);
    // every 10th probe lost: 50 bursts of length 1
    t.deepEqual(r.lossBursts.lengths, [[1, 50]]);
    t.is(sum(r.timeline.series.lost!), 50);
    t.is(server.stats.received, n);
  } finally {
    await server.close();
  }
});

test("loss bursts are measured as runs of consecutive lost sequence numbers (manual clock)", async (t) => {
  const dropped = new Set([5, 6, 7, 40, 90, 91, 92, 93, 94]);
  const clock = new ManualClock();
  const server = await expiringEcho(clock, (i) => (dropped.has(i - 1) ? "drop" : "echo"));
  try {
    const doc = await runEcho({ target: server.target, count: 200, window: 1, timeoutMs: TIMEOUT_MS, clock });
    const r = doc.results[0]!;
    t.is(r.lost, 9);
    t.is(r.late, 0);
    t.deepEqual(r.lossBursts, { count: 3, max: 5, mean: 3, lengths: [[1, 1], [3, 1], [5, 1]] });
  } finally {
    await server.close();
  }
});

// The clock of the next tests never moves: no probe can time out, and a run ends when every echo is back.

for (const pattern of PATTERNS) {
  test(`a flipped payload byte is detected with the ${pattern} pattern`, async (t) => {
    const server = await misbehavingEcho((i) => (i % 5 === 0 ? "corrupt" : "echo"), 40);
    try {
      const doc = await runEcho({ target: server.target, count: 100, size: 100, pattern, clock: new ManualClock() });
      const r = doc.results[0]!;
      t.is(r.received, 100);
      t.is(r.corrupted, 20);
    } finally {
      await server.close();
    }
  });
}

test("a tampered timestamp in the header counts as corrupted", async (t) => {
  const server = await misbehavingEcho((i) => (i % 4 === 0 ? "badts" : "echo"));
  try {
    const doc = await runEcho({ target: server.target, count: 100, size: 16, pattern: "zeros", clock: new ManualClock() });
    t.is(doc.results[0]!.corrupted, 25);
    t.is(doc.results[0]!.received, 100);
  } finally {
    await server.close();
  }
});

test("datagrams that are not echoes of this run are counted invalid, not received", async (t) => {
  // Before each real echo: a datagram that is no probe, and the probe with another run id.
  const sock = await loopbackSocket();
  sock.on("message", (msg, rinfo) => {
    sock.send(Buffer.from("hello, not a probe"), rinfo.port, rinfo.address);
    const wrongRun = Buffer.from(msg);
    wrongRun[4] = wrongRun[4]! ^ 0xff;
    sock.send(wrongRun, rinfo.port, rinfo.address);
    sock.send(msg, rinfo.port, rinfo.address);
  });
  try {
    const doc = await runEcho({ target: `127.0.0.1:${sock.address().port}`, count: 20, clock: new ManualClock() });
    const r = doc.results[0]!;
    t.is(r.invalid, 40);
    t.is(r.received, 20);
    t.is(r.duplicated, 0, "a probe of another run is not taken for this run's");
    t.is(r.lost, 0);
  } finally {
    sock.close();
  }
});

test("late echoes (after the timeout) are received and flagged late (manual clock)", async (t) => {
  // Probe 2 is held until probe 3 has been echoed, after its loss timeout.
  const clock = new ManualClock();
  const server = await expiringEcho(clock, (i) => (i === 3 ? "hold" : "echo"));
  try {
    const doc = await runEcho({ target: server.target, count: 5, window: 1, timeoutMs: TIMEOUT_MS, clock });
    const r = doc.results[0]!;
    t.is(r.late, 1);
    t.is(r.received, 5);
    t.is(r.lost, 0);
    t.is(r.reordered, 1);
    t.true(r.rttMs!.max >= TIMEOUT_MS, `max RTT ${r.rttMs!.max} ms`);
  } finally {
    await server.close();
  }
});

test("progress reports what has been sent and received so far (manual clock)", async (t) => {
  // Window 1: probe n leaves only once echo n - 1 is in, so when probe 3 reaches the
  // server (which swallows it), the peer has sent 3 and received 2.
  const clock = new ManualClock();
  const server = await misbehavingEcho((i) => (i === 3 ? "drop" : "echo"));
  const progress: ProgressInfo[] = [];
  try {
    const run = runEcho({ target: server.target, count: 3, window: 1, timeoutMs: 1000, clock, progressIntervalMs: 50, onProgress: (p) => progress.push(p) });
    await until(() => server.stats.received === 3, "probe 3 at the server");
    clock.advance(50);
    t.deepEqual(progress, [{ mode: "echo", size: 64, step: 0, steps: 1, elapsedMs: 50, sent: 3, received: 2 }]);
    clock.advance(1000);
    const doc = await run;
    t.is(doc.results[0]!.lost, 1);
  } finally {
    await server.close();
  }
});

test("aborting a run stops sending and still returns a consistent report (manual clock)", async (t) => {
  const server = await recordingEcho();
  const clock = new ManualClock();
  try {
    const ac = new AbortController();
    const run = runEcho({ target: server.target, durationMs: 10_000, rate: 100, signal: ac.signal, clock });
    await stepPerProbe(server.seqs, clock, 15, 10);
    await until(() => server.seqs.length >= 16, "probe 16");
    ac.abort();
    clock.advance(10);
    const doc = await run;
    const r = doc.results[0]!;
    t.true(doc.aborted);
    t.is(r.sent, 16, "probes at 0 ... 150 ms, none after the abort");
    t.is(r.received, 16);
    t.is(r.received + r.lost, r.sent);
  } finally {
    await server.close();
  }
});
