/**
 * Receive-path fuzz (issue "Reliability and security", item 2): random
 * datagrams (0–65507 bytes, random content) from random sources (any IPv4
 * source address and port, as a hostile LAN peer can spoof them) to random
 * destinations (the device, its subnet broadcast, the limited broadcast,
 * other hosts) and ports (open, closed, unbound, nobody's).
 *
 * In process, on the fake network: IMPNET_FUZZ_RECEIVE datagrams (default
 * 100 000), fixed seed. Each must reach exactly the socket bound to its
 * port, once, with its source, destination and bytes intact and the blob's
 * pointer at 0, or nobody at all; a callback that throws is reported and
 * changes nothing for the other sockets.
 *
 * Through the simulator, on real sockets: IMPNET_FUZZ_XS_RECEIVE datagrams
 * (default 2 000) from several sockets on the suite's loopback addresses to
 * the harness app's echo socket; every echo must come back, byte for byte,
 * to the socket that sent it.
 */
import test from "ava";
import fc from "fast-check";
import { formatIPv4 } from "../../modules/impnet/core/address";
import type { Blob } from "../../modules/impnet/core/blob";
import { connectedDevice } from "../support/device";
import { UdpClient } from "../support/sim";
import { digest } from "./blob-ops";
import { ADDRESS, SIZES } from "./common";
import { payload, sameBytes, sizeArbitrary } from "./datagrams";
import { appStats, startHarness } from "./harness";
import { runEchoFuzz } from "./scenarios";

const OWN = "192.168.1.10";
const BROADCAST = "192.168.1.255";
/** Ports with sockets: 3000 records, 3001 reads the blob through and throws on a marker, 3002 was closed, 3003 never bound. */
const RECORD = 3000;
const READER = 3001;
const CLOSED = 3002;

test("random datagrams from random sources reach exactly their socket, intact (fake network)", (t) => {
  const runs = SIZES.receiveRuns();
  const device = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address: OWN, netmask: "255.255.255.0" }] });
  const { world, iface } = device;
  interface Seen {
    port: number;
    from: string;
    fromPort: number;
    to: string;
    toPort: number;
    len: number;
    pointer: number;
    bytes: Uint8Array;
  }
  const seen: Seen[] = [];
  const record = (port: number) => (from: string, fromPort: number, to: string, toPort: number, data: Blob) => {
    seen.push({ port, from, fromPort, to, toPort, len: data.len(), pointer: data.tell(), bytes: data.bytes() });
  };
  const recorder = iface.openudp(record(RECORD), RECORD);
  let thrown = 0;
  const reader = iface.openudp((from, fromPort, to, toPort, data) => {
    record(READER)(from, fromPort, to, toPort, data);
    // Read it the way an app would (this moves the pointer of this blob only); a marker byte makes the callback throw.
    if (data.len() >= 4) data.readn("i");
    data.readstring(data.len());
    data.seek(0);
    if (data.len() > 0) data.readblob(data.len());
    if (data.len() > 0 && data.get(0) === 0xee) {
      thrown++;
      throw new Error("marker");
    }
  }, READER);
  iface.openudp(() => t.fail("a closed socket received"), CLOSED).close();
  const unbound = iface.openudp(() => t.fail("an unbound socket received"));
  const open = new Set([RECORD, READER]);

  const source = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map((v) => formatIPv4(v >>> 0)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((v) => formatIPv4((0xc0a80000 | v) >>> 0)) },
    { weight: 1, arbitrary: fc.constantFrom("0.0.0.0", "255.255.255.255", "127.0.0.1", OWN, BROADCAST, "224.0.0.1") },
  );
  const destination = fc.oneof(
    { weight: 6, arbitrary: fc.constant(OWN) },
    { weight: 2, arbitrary: fc.constant(BROADCAST) },
    { weight: 1, arbitrary: fc.constant("255.255.255.255") },
    { weight: 1, arbitrary: fc.constantFrom("192.168.1.11", "192.168.2.10", "10.0.0.10") },
  );
  const toPort = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(RECORD, READER) }, { weight: 1, arbitrary: fc.constantFrom(CLOSED, 3003, 0, 67, 68, 65535) });
  const datagram = fc.record({
    from: source,
    fromPort: fc.integer({ min: 0, max: 65535 }),
    to: destination,
    toPort,
    size: sizeArbitrary,
    seed: fc.integer(),
    marker: fc.boolean(),
  });
  let delivered = 0;
  let bytes = 0;
  let expectedThrows = 0;
  fc.assert(
    fc.property(datagram, (d) => {
      const data = payload(d.size, d.seed);
      if (data.length > 0) data[0] = d.marker ? 0xee : data[0] === 0xee ? 0 : data[0];
      seen.length = 0;
      world.lan.transmit({ from: d.from, fromPort: d.fromPort, to: d.to, toPort: d.toPort, data });
      world.lan.clock.advance(world.lan.latency);
      const forUs = (d.to === OWN || d.to === BROADCAST || d.to === "255.255.255.255") && open.has(d.toPort);
      if (!forUs) {
        if (seen.length !== 0) throw new Error(`delivered a datagram not for us: ${JSON.stringify(d)} → ${JSON.stringify(seen)}`);
        return;
      }
      const want = { port: d.toPort, from: d.from, fromPort: d.fromPort, to: d.to, toPort: d.toPort, len: d.size, pointer: 0 };
      const got = seen.map(({ bytes: _bytes, ...rest }) => rest);
      if (got.length !== 1 || JSON.stringify(got[0]) !== JSON.stringify(want)) {
        throw new Error(`datagram ${JSON.stringify(d)}: callback saw ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
      if (!sameBytes(seen[0].bytes, data)) throw new Error(`datagram ${JSON.stringify(d)}: the bytes differ`);
      delivered++;
      bytes += d.size;
      if (d.toPort === READER && d.size > 0 && d.marker) expectedThrows++;
    }),
    { seed: SIZES.seed(), numRuns: runs },
  );
  t.is(thrown, expectedThrows);
  t.is(world.log.errors.length, expectedThrows, "each throwing callback reported once through server.error");
  t.true(world.log.errors.every((line) => line.startsWith("onreceive callback threw: Error: marker")));
  t.true(recorder.isopen() && reader.isopen() && unbound.isopen());
  t.deepEqual(world.device.boundPorts(), [RECORD, READER], "no port taken or lost (the unbound socket stayed unbound)");
  t.is(world.device.sent.length, 0, "receiving sends nothing");
  t.log(`receive fuzz (fake network): ${runs} datagrams, ${delivered} delivered (${(bytes / 1048576).toFixed(1)} MiB), ${runs - delivered} correctly not delivered, ${expectedThrows} callbacks threw, seed ${SIZES.seed()}`);
});

test("random datagrams from several real sockets come back byte for byte (XS simulator)", async (t) => {
  const count = SIZES.xsDatagrams();
  const cases = fc.sample(fc.record({ size: sizeArbitrary, seed: fc.integer(), client: fc.nat(5) }), { seed: SIZES.seed() + 2, numRuns: count });
  const harness = await startHarness({ address: ADDRESS.fuzz });
  const clients = await Promise.all([ADDRESS.fuzz, ADDRESS.peers[0], ADDRESS.peers[1], ADDRESS.fuzz, ADDRESS.peers[0], ADDRESS.peers[1]].map((a) => UdpClient.open(a)));
  try {
    const sim = harness.sim;
    await harness.request("ping");
    const heapBefore = await sim.heap();
    const socketsBefore = sim.stats.osSockets;
    const result = await runEchoFuzz(harness, clients, cases);
    t.deepEqual(result.mismatched, [], "every client got exactly its own datagrams back, byte for byte");
    t.is(result.strangers, 0, "every echo came from the echo socket's address and port");
    const { sent, bytes } = result;
    const stats = await appStats(harness);
    t.is(stats.received, sent);
    t.is(stats.echoed, sent);
    t.is(stats.echoFailures, 0);
    t.is(sim.stats.droppedQueueFull + sim.stats.droppedLinkDown + sim.stats.droppedClosed, 0);
    t.deepEqual(harness.errors, []);
    t.deepEqual(harness.crashes, []);
    t.is(sim.stats.osSockets, socketsBefore);
    const heapAfter = await sim.heap();
    t.log(`receive fuzz (XS, real sockets): ${sent} datagrams (${(bytes / 1048576).toFixed(1)} MiB) from ${clients.length} sockets on 3 addresses, all echoed intact; XS heap ${heapBefore} → ${heapAfter} slots`);
    t.true(heapAfter <= heapBefore + 256, `heap ${heapBefore} → ${heapAfter}`);
  } finally {
    for (const client of clients) client.close();
    await harness.stop();
  }
});

test("the receive checks can fail: one flipped byte is seen, payloads differ by seed", (t) => {
  const a = payload(1473, 1);
  const b = a.slice();
  t.true(sameBytes(a, b));
  b[1000] ^= 1;
  t.false(sameBytes(a, b));
  t.not(digest(a), digest(b));
  t.false(sameBytes(payload(64, 1), payload(64, 2)));
  t.is(payload(65507, 3).length, 65507);
});
