/**
 * Hardware-in-loop, simulator only: the seed's send-only relay. Sequence-
 * numbered probes go in through the agent channel (as strings: bytes that are
 * not UTF-8 travel as impnet's surrogate escapes), the relay sends them out
 * by UDP, and impnet-peer's sink accounts for what arrives.
 */
import test from "ava";
import { runSink, encodeProbe, type Endpoint } from "../../hosts/peer/index";
import { decodeText } from "../../modules/impnet/core/text";
import { uniqueLoopback } from "../support/sim";
import { kernelDrops, until } from "../support/wait";
import { metrics, openTarget, type HilTarget } from "./target";

const device = process.env.IMPNET_DEVICE;

if (device !== undefined && device !== "") {
  test.skip(`relay output at impnet-peer's sink (skipped: driving the relay needs the simulator's agent channel; IMPNET_DEVICE=${device} is set)`, () => {});
} else {
  let target: HilTarget;

  test.before(async () => {
    // The relay sends from the seed's port 1234 (checked below): on an address no other run uses.
    target = await openTarget(uniqueLoopback(), "examples/relay.ts");
  });

  test.after.always(async () => {
    await target?.stop();
  });

  test.serial("relay output arrives complete and in order at impnet-peer's sink", async (t) => {
    const sim = target.sim!;
    const count = 500;
    let seen = 0;
    let listening: (endpoint: Endpoint) => void = () => {};
    const bound = new Promise<Endpoint>((resolve) => (listening = resolve));
    const ac = new AbortController();
    const sink = runSink({ listen: "127.0.0.1:0", count, signal: ac.signal, onDatagram: (n) => (seen = n), onListening: (endpoint) => listening(endpoint) });
    const endpoint = await bound;
    sim.agent("relay.target", { address: "127.0.0.1", port: endpoint.port });
    // The relay opens its socket when eth0 is CONNECTED.
    await until(() => sim.handleFor(1234) !== undefined, "the relay's socket on port 1234");
    const probe = Buffer.alloc(200);
    // In chunks of 50, each sent once the sink has the previous one: the sink's buffer never overflows.
    for (let seq = 0; seq < count; seq++) {
      encodeProbe(probe, 0, 0x5eed, seq, seq * 1000);
      sim.agent("relay.data", decodeText(probe, 0, probe.length));
      if (seq % 50 === 49) await until(() => seen + kernelDrops("127.0.0.1", endpoint.port) >= seq + 1, `datagram ${seq} at the sink`);
    }
    // Ends by count when all arrived; a datagram lost on the way shows as kernel drops (stop, then report).
    if (kernelDrops("127.0.0.1", endpoint.port) > 0) ac.abort();
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
    t.is(stream.address, target.address);
  });
}
