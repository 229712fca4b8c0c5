/**
 * Hardware-in-loop, simulator only: the seed's send-only relay. Sequence-
 * numbered probes go in through the agent channel (as strings: bytes that are
 * not UTF-8 travel as impnet's surrogate escapes), the relay sends them out
 * by UDP, and impnet-peer's sink accounts for what arrives.
 */
import test from "ava";
import { runSink, encodeProbe, type Endpoint } from "../../hosts/peer/index";
import { decodeText } from "../../modules/impnet/core/text";
import { metrics, openTarget, type HilTarget } from "./target";

let target: HilTarget;

test.before(async () => {
  target = await openTarget("127.0.0.4", "examples/relay.ts");
});

test.after.always(async () => {
  await target?.stop();
});

test.serial("relay output arrives complete and in order at impnet-peer's sink", async (t) => {
  const sim = target.sim;
  if (sim === undefined) {
    t.log("skipped: driving the relay needs the simulator's agent channel (IMPNET_DEVICE is set)");
    t.pass();
    return;
  }
  const count = 500;
  let listening: (endpoint: Endpoint) => void = () => {};
  const bound = new Promise<Endpoint>((resolve) => (listening = resolve));
  const sink = runSink({ listen: "127.0.0.1:0", count, timeoutMs: 5000, onListening: (endpoint) => listening(endpoint) });
  const endpoint = await bound;
  sim.agent("relay.target", { address: "127.0.0.1", port: endpoint.port });
  // The relay opens its socket when eth0 is CONNECTED, a few ms after start.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const probe = Buffer.alloc(200);
  for (let seq = 0; seq < count; seq++) {
    encodeProbe(probe, 0, 0x5eed, seq, seq * 1000);
    sim.agent("relay.data", decodeText(probe, 0, probe.length));
    if (seq % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const report = await sink;
  const [result] = report.results;
  const stream = result.streams[0];
  t.log(metrics({ packets: result.packets, probes: result.probes, lost: result.totals.lost, reordered: result.totals.reordered, duplicated: result.totals.duplicated, corrupted: result.totals.corrupted, pps: Math.round(result.pps) }));
  t.is(result.packets, count);
  t.is(result.probes, count, "every datagram carried an intact probe header");
  t.is(result.totals.lost, 0);
  t.is(result.totals.corrupted, 0);
  t.is(result.totals.reordered, 0);
  t.is(stream.port, 1234, "sent from the relay's port 1234");
  t.is(stream.address, "127.0.0.4");
});
