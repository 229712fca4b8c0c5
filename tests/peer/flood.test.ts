import test from "ava";
import { runFlood } from "../../hosts/peer/flood.ts";
import { decodeProbe, probeIntact } from "../../hosts/peer/probe.ts";
import { startRawEcho } from "../../hosts/peer/raw-echo.ts";
import { collector, sum } from "./helpers.ts";

const settle = () => new Promise((r) => setTimeout(r, 100));

test("flood --count sends exactly that many numbered probes", async (t) => {
  const c = await collector();
  try {
    const doc = await runFlood({ target: c.target, count: 5000, size: 128, timeoutMs: 50 });
    await settle();
    const r = doc.results[0]!;
    t.is(r.sent, 5000);
    t.is(r.bytes, 5000 * 128);
    t.is(r.errors.send, 0);
    t.true(r.sentPps > 0);
    t.is(sum(r.timeline.series.sent!), 5000);
    t.true(c.msgs.length > 0 && c.msgs.length <= 5000, `collector got ${c.msgs.length}`);
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

test("flood --duration stops on time", async (t) => {
  const c = await collector();
  try {
    const doc = await runFlood({ target: c.target, durationMs: 300, size: 64, timeoutMs: 50 });
    const r = doc.results[0]!;
    t.is(doc.options.count, null);
    t.is(doc.options.durationMs, 300);
    t.true(r.sent > 100, `sent ${r.sent}`);
    t.true(r.durationMs >= 250 && r.durationMs < 700, `durationMs ${r.durationMs}`);
  } finally {
    await c.close();
  }
});

test("flood --rate paces the sends", async (t) => {
  const c = await collector();
  try {
    const doc = await runFlood({ target: c.target, durationMs: 500, rate: 1000, timeoutMs: 50 });
    await settle();
    const r = doc.results[0]!;
    t.true(r.sent >= 420 && r.sent <= 560, `sent ${r.sent}`);
    t.is(c.msgs.length, r.sent);
  } finally {
    await c.close();
  }
});

test("flood counts replies and sweeps sizes", async (t) => {
  const server = await startRawEcho();
  try {
    const doc = await runFlood({ target: `127.0.0.1:${server.port}`, count: 1000, size: [32, 512], timeoutMs: 200 });
    t.is(doc.results.length, 2);
    for (const r of doc.results) {
      t.is(r.sent, 1000);
      t.true(r.replies.packets > 0 && r.replies.packets <= 1000, `replies ${r.replies.packets}`);
      t.is(r.replies.bytes, r.replies.packets * r.size);
    }
    t.true(server.stats.received <= 2000);
    t.true(doc.results[0]!.replies.packets + doc.results[1]!.replies.packets <= server.stats.echoed);
  } finally {
    await server.close();
  }
});
