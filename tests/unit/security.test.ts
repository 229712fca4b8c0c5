/**
 * Security on the fake network (threat model in docs/security.md), in the
 * fast tier: these checks run on every `npm run test:unit`. The same rules
 * inside XS, with real sockets, are in tests/reliability/security.test.ts.
 *
 * - a send can never reach a non-private destination or another subnet: IMPNET_FUZZ_SEND
 *   (default 20 000) fuzzed send() calls, each on a bound and an unbound
 *   socket (so rejected arguments repeat on the same socket), checked against
 *   an independent reference of impOS's rule, and everything that reached the
 *   fake wire re-checked;
 * - ports 67 and 68 are never used, as destination or as local port;
 * - callbacks cannot tear down other sockets;
 * - what impnet does not guarantee is pinned too: spoofed source addresses
 *   are believed; a spoofed private source turns an echo app into a
 *   reflector, which the rate limiter caps.
 */
import test from "ava";
import fc from "fast-check";
import { Blob } from "../../modules/impnet/core/blob";
import type { UdpSocket } from "../../modules/impnet/core/udpsocket";
import { fakeWorld } from "../../modules/impnet/fake/network";
import { encode } from "../reliability/codec";
import { SIZES } from "../reliability/common";
import { addressArbitraryFor, portArbitrary, referenceInSubnet, referenceOutcome, referencePrivate, type Subnet } from "../reliability/send-reference";
import { loadApp } from "../support/bundle";
import { connectedDevice, deliver, portOf } from "../support/device";

function outcomeOf(call: () => number): "TypeError" | "RangeError" | "sent" | string {
  try {
    const rc = call();
    return rc === 0 ? "sent" : `code ${rc}`;
  } catch (error) {
    return (error as Error).name;
  }
}

// ---------------------------------------------------------------- fake network

test("fuzzed sends: nothing ever reaches a non-private destination, another subnet or port 67/68 (fake network)", (t) => {
  const runs = SIZES.sendRuns();
  const subnet: Subnet = { address: "192.168.1.10", prefix: 24 };
  const device = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: "255.255.255.0" }] });
  const { world, iface } = device;
  const bound = iface.openudp(null, 5000);
  const tally: Record<string, number> = {};
  let ephemeral = 0;
  fc.assert(
    fc.property(addressArbitraryFor(subnet), portArbitrary, (address, port) => {
      const want = referenceOutcome(address, port, subnet);
      const unbound = iface.openudp(null);
      for (const sock of [bound, unbound]) {
        const got = outcomeOf(() => sock.send(address as string, port as number, "x"));
        if (got !== want) throw new Error(`send(${JSON.stringify(encode(address))}, ${JSON.stringify(encode(port))}): ${got}, reference says ${want}`);
      }
      const local = portOf(unbound);
      if (want === "sent") {
        if (local < 49152 || local > 65535) throw new Error(`ephemeral port ${local}`);
        ephemeral++;
      } else if (local !== 0) throw new Error(`a refused send bound port ${local}`);
      unbound.close();
      tally[want] = (tally[want] ?? 0) + 1;
      world.lan.clock.advance(1);
    }),
    { seed: SIZES.seed(), numRuns: runs },
  );
  // Everything the device put on the wire, re-checked against the reference rule.
  const bad = world.lan.wire.filter((d) => !referencePrivate(d.to) || !referenceInSubnet(d.to, subnet) || d.toPort === 67 || d.toPort === 68 || d.fromPort === 67 || d.fromPort === 68 || d.fromPort < 1024);
  t.deepEqual(bad, []);
  t.is(world.device.sent.length, 2 * (tally.sent ?? 0), "exactly the accepted sends went out");
  t.deepEqual(world.device.boundPorts(), [5000], "every ephemeral port released");
  t.true((tally.sent ?? 0) > 0 && (tally.RangeError ?? 0) > 0 && (tally.TypeError ?? 0) > 0);
  t.log(
    `send fuzz (fake network, private LAN): ${runs} cases × 2 sockets; ${tally.sent ?? 0} accepted, ${tally.RangeError ?? 0} refused RangeError, ${tally.TypeError ?? 0} refused TypeError; ` +
      `${world.lan.wire.length} datagrams on the wire, all to private addresses in 192.168.1.0/24, none to or from 67/68; ${ephemeral} ephemeral binds, all in 49152-65535`,
  );
});

test("the reference rule can fail: it disagrees with a rule that lets loopback or another subnet through", (t) => {
  t.is(referenceOutcome("127.0.0.1", 80), "RangeError");
  t.is(referenceOutcome("192.168.1.1", 67), "RangeError");
  t.is(referenceOutcome("192.168.01.1", 80), "TypeError");
  t.is(referenceOutcome("172.31.255.255", 0), "sent");
  t.is(referenceOutcome("172.32.0.0", 1), "RangeError");
  t.is(referenceOutcome("192.168.99.1", 80, { address: "192.168.1.10", prefix: 24 }), "RangeError");
  t.is(referenceOutcome("192.168.1.255", 80, { address: "192.168.1.10", prefix: 24 }), "sent");
  t.is(referenceOutcome("172.31.0.1", 80, { address: "172.20.0.5", prefix: 12 }), "sent");
  t.is(referenceOutcome("172.32.0.1", 80, { address: "172.20.0.5", prefix: 12 }), "RangeError");
});

test("ephemeral ports are never 67 or 68, and openudp refuses them (fake network)", (t) => {
  const { iface, world } = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet" }] });
  const ports = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const sock = iface.openudp(null);
    t.is(sock.send("192.168.1.20", 9, "x"), 0);
    ports.add(portOf(sock));
    sock.close();
  }
  t.true([...ports].every((p) => p >= 49152 && p <= 65535));
  for (const port of [67, 68]) t.throws(() => iface.openudp(null, port), { instanceOf: RangeError, message: `openudp: localPort ${port} is below 1024` });
  t.deepEqual(world.device.boundPorts(), []);
  t.log(`${ports.size} distinct ephemeral ports over 2000 binds, all in 49152-65535`);
});

test("a callback cannot take down another socket, whatever it does (fake network)", (t) => {
  const { iface, world, imp } = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet" }] });
  const counts = { a: 0, b: 0, refused: 0 };
  let a: UdpSocket | null = null;
  const attempts: (() => unknown)[] = [
    () => iface.openudp(null, 7102),
    () => (a as UdpSocket).send("8.8.8.8", 7102, "x"),
    () => (a as UdpSocket).send("192.168.1.10", 67, "x"),
    () => (a as UdpSocket).onreceive("not a function" as never),
    () => imp.net.open({ interface: "eth0", bogus: true } as never),
    () => imp.net.open("eth0" as never),
    () => new Blob(-1),
  ];
  a = iface.openudp(() => {
    counts.a++;
    for (const attempt of attempts) {
      try {
        attempt();
      } catch {
        counts.refused++;
      }
    }
    throw new Error("hostile callback");
  }, 7101);
  const b = iface.openudp(() => counts.b++, 7102);
  const peer = world.lan.peer("192.168.1.50", 5000);
  for (let i = 0; i < 200; i++) peer.send("192.168.1.10", i % 2 === 0 ? 7101 : 7102, `d${i}`);
  deliver(world);
  t.deepEqual(counts, { a: 100, b: 100, refused: 100 * attempts.length });
  t.true(a.isopen() && b.isopen());
  t.deepEqual(world.device.boundPorts(), [7101, 7102]);
  t.is(world.log.errors.length, 100);
  t.true(world.log.errors.every((line) => line.startsWith("onreceive callback threw: Error: hostile callback")));
  t.is(world.device.sent.length, 0);
});

test("not guaranteed: a spoofed source address is believed; a public one cannot make the echo send off the LAN", async (t) => {
  const world = fakeWorld([{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: "255.255.255.0" }]);
  await loadApp("main.ts", world.host);
  world.lan.clock.advance(100);
  // Spoofed public source: the echo's send() throws inside the callback, nothing is sent.
  world.lan.transmit({ from: "8.8.8.8", fromPort: 53, to: "192.168.1.10", toPort: 1234, data: new TextEncoder().encode("spoofed") });
  world.lan.clock.advance(5);
  t.is(world.device.sent.length, 0);
  t.regex(world.log.errors.at(-1) ?? "", /^onreceive callback threw: RangeError: send: address 8\.8\.8\.8 is not a private/);
  // Spoofed private source: the device answers the victim (reflection, same size: no amplification).
  world.lan.transmit({ from: "192.168.1.77", fromPort: 9, to: "192.168.1.10", toPort: 1234, data: new TextEncoder().encode("spoofed") });
  world.lan.clock.advance(5);
  t.deepEqual(
    world.device.sent.map((d) => [d.to, d.toPort, d.data.length]),
    [["192.168.1.77", 9, 7]],
  );
});

test("the rate limiter caps what a spoofing peer can reflect through an echo app: 100, then 25 per second", async (t) => {
  const world = fakeWorld([{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: "255.255.255.0" }], { rateLimit: true });
  await loadApp("main.ts", world.host);
  world.lan.clock.advance(100);
  const data = new TextEncoder().encode("reflect me");
  for (let i = 0; i < 1000; i++) world.lan.transmit({ from: "192.168.1.77", fromPort: 9, to: "192.168.1.10", toPort: 1234, data });
  world.lan.clock.advance(5);
  t.is(world.device.sent.length, 100, "a burst of 1000 spoofed datagrams: 100 reflected");
  t.is(world.log.errors.filter((l) => l.endsWith("(code: 4)")).length, 900);
  for (let s = 0; s < 10; s++) {
    for (let i = 0; i < 100; i++) world.lan.transmit({ from: "192.168.1.77", fromPort: 9, to: "192.168.1.10", toPort: 1234, data });
    world.lan.clock.advance(1000);
  }
  t.true(world.device.sent.length <= 100 + 25 * 10 + 1, `${world.device.sent.length} reflected in 10 s`);
  t.true(world.device.sent.length >= 100 + 25 * 9, `${world.device.sent.length} reflected in 10 s`);
});
