/**
 * impos-net-spec.md §6.1 "Rate limit": a token bucket of 100 that refills at
 * 25 per second, one token per datagram, shared by every socket of the
 * device; off by default in impnet. Time is the fake LAN's virtual clock.
 */
import test from "ava";
import { RateLimiter } from "../../modules/impnet/core/rate-limiter";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND, SEND_ERROR_RATE_LIMITED } from "../../modules/impnet/core/constants";
import type { UdpSocket } from "../../modules/impnet/core/udpsocket";
import { connectedDevice, openDevice, portOf, tokens, waitConnected, type DeviceOptions } from "../support/device";

const PEER = "192.168.1.50";
const PEER_PORT = 5000;

/** Sends until the first non-zero result (at most `limit` tries); returns how many returned 0 and the first failure code. */
function burst(socket: UdpSocket, limit = 1000): { sent: number; code: number | undefined } {
  for (let i = 0; i < limit; i++) {
    const code = socket.send(PEER, PEER_PORT, "x");
    if (code !== 0) return { sent: i, code };
  }
  return { sent: limit, code: undefined };
}

/** A connected device with the limiter switched on through imp.net.setratelimit(true). */
function limited(options: DeviceOptions = {}) {
  const device = connectedDevice({ interface: "eth0" }, options);
  device.imp.net.setratelimit(true);
  return { ...device, socket: device.iface.openudp(null, 1234) };
}

// ---------------------------------------------------------------- off by default

test("the rate limiter is off by default: 500 sends in a row all return 0", (t) => {
  const { iface, world, runtime } = connectedDevice();
  const socket = iface.openudp(null, 1234);
  t.is(tokens(runtime), null);
  for (let i = 0; i < 500; i++) t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  t.is(world.device.sent.length, 500);
});

// ---------------------------------------------------------------- burst

test("with setratelimit(true): exactly 100 datagrams, then SEND_ERROR_RATE_LIMITED (4)", (t) => {
  const { socket, world } = limited();
  t.is(RATE_LIMIT_BURST, 100);
  t.is(SEND_ERROR_RATE_LIMITED, 4);
  t.deepEqual(burst(socket), { sent: 100, code: 4 });
  t.is(world.device.sent.length, 100, "the refused datagram was not sent");
  t.is(socket.send(PEER, PEER_PORT, "x"), 4, "still refused without time passing");
});

test("with host option rateLimit: true the limiter is on from the start", (t) => {
  const { iface, runtime } = connectedDevice({ interface: "eth0" }, { options: { rateLimit: true } });
  t.is(tokens(runtime), 100);
  t.deepEqual(burst(iface.openudp(null, 1234)), { sent: 100, code: 4 });
});

test("host option rateLimitErrorCode changes the code returned when rate limited", (t) => {
  const { iface } = connectedDevice({ interface: "eth0" }, { options: { rateLimit: true, rateLimitErrorCode: 42 } });
  t.deepEqual(burst(iface.openudp(null, 1234)), { sent: 100, code: 42 });
});

test("rateLimitErrorCode alone does not switch the limiter on; setratelimit(true) then uses that code", (t) => {
  const device = connectedDevice({ interface: "eth0" }, { options: { rateLimitErrorCode: 9 } });
  const socket = device.iface.openudp(null, 1234);
  t.deepEqual(burst(socket, 300), { sent: 300, code: undefined });
  device.imp.net.setratelimit(true);
  t.deepEqual(burst(socket), { sent: 100, code: 9 });
});

test("setratelimit(false) switches the limiter off again", (t) => {
  const { socket, imp, runtime } = limited();
  t.is(burst(socket).sent, 100);
  imp.net.setratelimit(false);
  t.is(tokens(runtime), null);
  for (let i = 0; i < 200; i++) t.is(socket.send(PEER, PEER_PORT, "x"), 0);
});

test("setratelimit(true) while already on keeps the bucket (no free refill)", (t) => {
  const { socket, imp } = limited();
  t.is(burst(socket).sent, 100);
  imp.net.setratelimit(true);
  t.is(socket.send(PEER, PEER_PORT, "x"), 4);
});

test("switching the limiter off and on again starts a full bucket", (t) => {
  const { socket, imp } = limited();
  t.is(burst(socket).sent, 100);
  imp.net.setratelimit(false);
  imp.net.setratelimit(true);
  t.is(burst(socket).sent, 100);
});

test("setratelimit rejects anything but true or false, and changes nothing", (t) => {
  const { imp, runtime } = connectedDevice();
  for (const value of [1, 0, "true", null, undefined, {}]) {
    t.throws(() => imp.net.setratelimit(value as never), {
      instanceOf: TypeError,
      message: /^imp\.net\.setratelimit: enabled must be true or false$/,
    });
    t.is(tokens(runtime), null);
  }
  imp.net.setratelimit(true);
  const before = tokens(runtime);
  t.throws(() => imp.net.setratelimit("false" as never));
  t.is(tokens(runtime), before, "a rejected call does not switch it off either");
});

// ---------------------------------------------------------------- refill (virtual clock)

test("refill: 39 ms gives no token, 40 ms gives exactly one (25 per second)", (t) => {
  const { socket, world } = limited();
  t.is(RATE_LIMIT_PER_SECOND, 25);
  t.is(burst(socket).sent, 100);
  world.lan.clock.advance(39);
  t.is(socket.send(PEER, PEER_PORT, "x"), 4);
  world.lan.clock.advance(1);
  t.deepEqual(burst(socket), { sent: 1, code: 4 });
});

test("refill: one second gives exactly 25 more", (t) => {
  const { socket, world } = limited();
  t.is(burst(socket).sent, 100);
  world.lan.clock.advance(1000);
  t.deepEqual(burst(socket), { sent: 25, code: 4 });
});

test("refill: partial periods add up (20 ms + 20 ms = one token)", (t) => {
  const { socket, world } = limited();
  t.is(burst(socket).sent, 100);
  world.lan.clock.advance(20);
  t.is(socket.send(PEER, PEER_PORT, "x"), 4);
  world.lan.clock.advance(20);
  t.is(socket.send(PEER, PEER_PORT, "x"), 0);
});

test("refill caps at 100 after a long idle period", (t) => {
  const { socket, world } = limited();
  t.is(burst(socket).sent, 100);
  world.lan.clock.advance(3_600_000);
  t.deepEqual(burst(socket), { sent: 100, code: 4 });
});

test("sustained: one datagram every 40 ms is never refused after the burst", (t) => {
  const { socket, world } = limited();
  t.is(burst(socket).sent, 100);
  for (let i = 0; i < 250; i++) {
    world.lan.clock.advance(40);
    t.is(socket.send(PEER, PEER_PORT, "x"), 0, `send ${i}`);
  }
  t.is(socket.send(PEER, PEER_PORT, "x"), 4);
});

test("over 10 s of flooding, exactly 100 + 25 * 10 datagrams get through", (t) => {
  const { socket, world } = limited();
  let sent = 0;
  for (let ms = 0; ms <= 10_000; ms += 5) {
    for (let k = 0; k < 3; k++) if (socket.send(PEER, PEER_PORT, "x") === 0) sent++;
    world.lan.clock.advance(5);
  }
  // 10,000 ms elapse between the first and the last attempt
  t.is(sent, 100 + 250);
  t.is(world.device.sent.length, sent);
});

// ---------------------------------------------------------------- what spends a token

test("sends that throw spend no token", (t) => {
  const { socket, runtime } = limited();
  for (let i = 0; i < 100; i++) {
    t.throws(() => socket.send("8.8.8.8", PEER_PORT, "x"));
    t.throws(() => socket.send(PEER, 67, "x"));
    t.throws(() => socket.send(PEER, PEER_PORT, 5 as never));
  }
  t.is(tokens(runtime), 100);
  t.is(burst(socket).sent, 100);
});

test("sends refused because the interface is not connected spend no token", (t) => {
  const device = openDevice();
  device.imp.net.setratelimit(true);
  const socket = device.iface.openudp();
  for (let i = 0; i < 150; i++) t.is(socket.send(PEER, PEER_PORT, "x"), 1);
  t.is(portOf(socket), 0);
  waitConnected(device.world, device.iface);
  t.is(burst(socket).sent, 100);
});

test("rate-limited sends spend no token and leave an unbound socket unbound", (t) => {
  const { socket, world, iface, runtime } = limited();
  t.is(burst(socket).sent, 100);
  const fresh = iface.openudp();
  for (let i = 0; i < 50; i++) t.is(fresh.send(PEER, PEER_PORT, "x"), 4);
  t.is(portOf(fresh), 0);
  t.deepEqual(world.device.boundPorts(), [1234]);
  t.is(tokens(runtime), 0);
  world.lan.clock.advance(40);
  t.deepEqual(burst(fresh), { sent: 1, code: 4 });
});

test("a datagram the host fails to send still spends its token", (t) => {
  const { socket, world, runtime } = limited();
  world.device.failNextSends.push("failed");
  t.is(socket.send(PEER, PEER_PORT, "x"), 2);
  t.is(tokens(runtime), 99);
  t.is(burst(socket).sent, 99);
});

test("the bucket is shared by all sockets (and all interfaces) of the device", (t) => {
  const { socket, imp, iface, world } = limited();
  const wifi = imp.net.open({ interface: "wl0" });
  waitConnected(world, wifi);
  const second = iface.openudp();
  const third = wifi.openudp(null, 4321);
  for (let i = 0; i < 40; i++) t.is(socket.send(PEER, PEER_PORT, "a"), 0);
  for (let i = 0; i < 30; i++) t.is(second.send(PEER, PEER_PORT, "b"), 0);
  for (let i = 0; i < 30; i++) t.is(third.send(PEER, PEER_PORT, "c"), 0);
  t.is(socket.send(PEER, PEER_PORT, "a"), 4);
  t.is(second.send(PEER, PEER_PORT, "b"), 4);
  t.is(third.send(PEER, PEER_PORT, "c"), 4);
});

test("closing and reopening sockets does not refill the bucket", (t) => {
  const { socket, iface } = limited();
  t.is(burst(socket).sent, 100);
  socket.close();
  t.is(iface.openudp(null, 1234).send(PEER, PEER_PORT, "x"), 4);
});

// ---------------------------------------------------------------- RateLimiter itself

test("RateLimiter starts full with 100 tokens", (t) => {
  const limiter = new RateLimiter(1000);
  t.is(limiter.level(), 100);
  t.true(limiter.available(1000));
});

test("RateLimiter: 100 takes empty it; time refills 25 per second up to the cap", (t) => {
  const limiter = new RateLimiter(0);
  for (let i = 0; i < 100; i++) {
    t.true(limiter.available(0));
    limiter.take();
  }
  t.false(limiter.available(0));
  t.is(limiter.level(), 0);
  t.false(limiter.available(39));
  t.true(limiter.available(40));
  t.is(limiter.level(), 1);
  limiter.take();
  t.true(limiter.available(1040));
  t.is(limiter.level(), 25);
  t.true(limiter.available(1_000_000));
  t.is(limiter.level(), 100);
});

test("RateLimiter ignores a clock that goes backwards", (t) => {
  const limiter = new RateLimiter(5000);
  limiter.take();
  t.true(limiter.available(4000));
  t.is(limiter.level(), 99);
  t.true(limiter.available(5040));
  t.is(limiter.level(), 100);
});

test("RateLimiter: after the clock steps back, only time past the latest reading refills (empty bucket)", (t) => {
  // Empty, so the cap of 100 cannot hide a refill from the earlier reading.
  const limiter = new RateLimiter(5000);
  for (let i = 0; i < 100; i++) limiter.take();
  t.false(limiter.available(5000));
  t.is(limiter.level(), 0);
  t.false(limiter.available(1000), "a step back adds nothing");
  t.is(limiter.level(), 0);
  t.true(limiter.available(5040), "40 ms past the latest reading (5000): one token");
  t.is(limiter.level(), 1);
  limiter.take();
  t.false(limiter.available(5040));
});

test("RateLimiter with a custom capacity and rate", (t) => {
  const limiter = new RateLimiter(0, 2, 1000);
  limiter.take();
  limiter.take();
  t.false(limiter.available(0));
  t.true(limiter.available(1));
  t.is(limiter.level(), 1);
  t.true(limiter.available(100));
  t.is(limiter.level(), 2);
});
