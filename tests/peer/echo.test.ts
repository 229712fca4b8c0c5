import test from "ava";
import { runEcho } from "../../hosts/peer/echo.ts";
import { PATTERNS } from "../../hosts/peer/probe.ts";
import { startRawEcho } from "../../hosts/peer/raw-echo.ts";
import { loopbackSocket, misbehavingEcho, sum, type Action } from "./helpers.ts";

test("echo against the raw echo: every probe comes back intact, for a size sweep", async (t) => {
  const server = await startRawEcho();
  try {
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, count: 2000, size: [16, 64, 1400] });
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
      const doc = await runEcho({ target: `127.0.0.1:${server.port}`, count: 300, size: 200, pattern });
      t.is(doc.results[0]!.received, 300, pattern);
      t.is(doc.results[0]!.corrupted, 0, pattern);
      t.is(doc.options.pattern, pattern);
    }
  } finally {
    await server.close();
  }
});

test("unpaced echo is closed-loop: never more than --window probes in flight", async (t) => {
  // A server that swallows everything: the peer may only send `window` probes
  // until the loss timeout frees the window.
  const sock = await loopbackSocket();
  let got = 0;
  sock.on("message", () => got++);
  const port = sock.address().port;
  try {
    const run = runEcho({ target: `127.0.0.1:${port}`, count: 24, window: 8, timeoutMs: 400 });
    await new Promise((r) => setTimeout(r, 200));
    t.is(got, 8, "only the window is sent before the timeout");
    const doc = await run;
    const r = doc.results[0]!;
    t.is(got, 24);
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

test("paced echo keeps the requested rate (open loop)", async (t) => {
  const server = await startRawEcho();
  try {
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, count: 600, rate: 2000 });
    const r = doc.results[0]!;
    t.is(r.sent, 600);
    t.is(r.received, 600);
    t.is(doc.options.rate, 2000);
    t.is(doc.options.window, null);
    // 600 probes at 2000/s take ~300 ms
    t.true(r.sentPps > 1600 && r.sentPps < 2400, `sentPps ${r.sentPps}`);
    t.true(r.durationMs >= 280, `durationMs ${r.durationMs}`);
  } finally {
    await server.close();
  }
});

test("duration-limited echo stops on time", async (t) => {
  const server = await startRawEcho();
  try {
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, durationMs: 300, rate: 1000 });
    const r = doc.results[0]!;
    t.is(doc.options.count, null);
    t.true(r.sent >= 240 && r.sent <= 330, `sent ${r.sent}`);
    t.is(r.received + r.lost, r.sent);
  } finally {
    await server.close();
  }
});

/** What the peer must report when the server applies `rule` to probes 1..n in order. */
function expected(n: number, rule: (i: number) => Action) {
  const emitted: Array<{ seq: number; bad: boolean }> = [];
  let held: { seq: number; bad: boolean } | null = null;
  for (let i = 1; i <= n; i++) {
    const seq = i - 1;
    const a = rule(i);
    if (a === "hold") {
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
  return { received: seen.size, lost: n - seen.size, dup, reordered, corrupted };
}

test("loss, duplicate, reorder and corruption accounting against a misbehaving echo", async (t) => {
  const rule = (i: number): Action =>
    i % 10 === 0 ? "drop" : i % 7 === 0 ? "dup" : i % 11 === 0 ? "corrupt" : i % 13 === 0 ? "hold" : "echo";
  const n = 500;
  const want = expected(n, rule);
  // sanity of the scenario itself
  t.is(want.lost, 50);
  t.true(want.dup > 50 && want.reordered > 20 && want.corrupted > 30);
  const server = await misbehavingEcho((i) => rule(i));
  try {
    const doc = await runEcho({ target: server.target, count: n, size: 64, window: 16, timeoutMs: 150 });
    const r = doc.results[0]!;
    t.is(r.sent, n);
    t.is(r.received, want.received);
    t.is(r.lost, want.lost);
    t.is(r.duplicated, want.dup);
    t.is(r.reordered, want.reordered);
    t.is(r.corrupted, want.corrupted);
    t.is(r.received + r.lost, r.sent);
    // every 10th probe lost: 50 bursts of length 1
    t.deepEqual(r.lossBursts.lengths, [[1, 50]]);
    t.is(sum(r.timeline.series.lost!), 50);
    t.is(server.stats.received, n);
  } finally {
    await server.close();
  }
});

test("loss bursts are measured as runs of consecutive lost sequence numbers", async (t) => {
  const dropped = new Set([5, 6, 7, 40, 90, 91, 92, 93, 94]);
  const server = await misbehavingEcho((i) => (dropped.has(i - 1) ? "drop" : "echo"));
  try {
    const doc = await runEcho({ target: server.target, count: 200, timeoutMs: 100 });
    const r = doc.results[0]!;
    t.is(r.lost, 9);
    t.deepEqual(r.lossBursts, { count: 3, max: 5, mean: 3, lengths: [[1, 1], [3, 1], [5, 1]] });
  } finally {
    await server.close();
  }
});

for (const pattern of PATTERNS) {
  test(`a flipped payload byte is detected with the ${pattern} pattern`, async (t) => {
    const server = await misbehavingEcho((i) => (i % 5 === 0 ? "corrupt" : "echo"), 40);
    try {
      const doc = await runEcho({ target: server.target, count: 100, size: 100, pattern });
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
    const doc = await runEcho({ target: server.target, count: 100, size: 16, pattern: "zeros" });
    t.is(doc.results[0]!.corrupted, 25);
    t.is(doc.results[0]!.received, 100);
  } finally {
    await server.close();
  }
});

test("datagrams that are not echoes of this run are counted invalid, not received", async (t) => {
  const sock = await loopbackSocket();
  sock.on("message", (msg, rinfo) => {
    sock.send(Buffer.from("hello, not a probe"), rinfo.port, rinfo.address);
    const wrongRun = Buffer.from(msg);
    wrongRun[4] = wrongRun[4]! ^ 0xff;
    sock.send(wrongRun, rinfo.port, rinfo.address);
  });
  try {
    const doc = await runEcho({ target: `127.0.0.1:${sock.address().port}`, count: 20, timeoutMs: 100 });
    const r = doc.results[0]!;
    t.is(r.received, 0);
    t.is(r.lost, 20);
    t.is(r.invalid, 40);
  } finally {
    sock.close();
  }
});

test("late echoes (after the timeout) are received and flagged late", async (t) => {
  const sock = await loopbackSocket();
  sock.on("message", (msg, rinfo) => {
    const delay = msg.readUInt32BE(8) === 3 ? 250 : 0;
    setTimeout(() => {
      try {
        sock.send(msg, rinfo.port, rinfo.address);
      } catch {
        // closed
      }
    }, delay);
  });
  try {
    // 20 probes at 40/s: the run lasts ~500 ms, probe 3 comes back after ~250 ms
    const doc = await runEcho({ target: `127.0.0.1:${sock.address().port}`, count: 20, rate: 40, timeoutMs: 100 });
    const r = doc.results[0]!;
    t.is(r.late, 1);
    t.is(r.received, 20);
    t.is(r.lost, 0);
    t.true(r.rttMs!.max >= 240);
  } finally {
    sock.close();
  }
});

test("aborting a run stops sending and still returns a consistent report", async (t) => {
  const server = await startRawEcho();
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const doc = await runEcho({ target: `127.0.0.1:${server.port}`, durationMs: 10_000, rate: 1000, signal: ac.signal });
    const r = doc.results[0]!;
    t.true(doc.aborted);
    t.true(r.sent > 50 && r.sent < 400, `sent ${r.sent}`);
    t.is(r.received + r.lost, r.sent);
  } finally {
    await server.close();
  }
});
