/**
 * docs/impos-api.md §6.2–6.4: udpsocket.onreceive(), the receive callback's
 * arguments, close(), isopen(), and errors thrown by receive callbacks.
 */
import test from "ava";
import type { ReceivedDatagram, Endpoint } from "../../modules/impnet/port";
import { Blob } from "../../modules/impnet/core/blob";
import { NetState, connectedDevice, deliver, openDevice, portOf, recorder, waitConnected } from "../support/device";

const PEER = "192.168.1.50";
const PEER_PORT = 5000;

// ---------------------------------------------------------------- callback arguments

test("the receive callback gets fromAddress, fromPort, toAddress (unicast), toPort and a blob at pointer 0", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "hello");
  t.deepEqual(calls, [], "delivery is asynchronous");
  deliver(world);
  t.is(calls.length, 1);
  const c = calls[0];
  t.is(c.fromAddress, PEER);
  t.is(c.fromPort, PEER_PORT);
  t.is(c.toAddress, "192.168.1.10");
  t.is(c.toPort, 1234);
  t.true(c.data instanceof Blob);
  t.is(c.pointer, 0);
  t.is(c.data.len(), 5);
  t.is(c.text, "hello");
});

test("a datagram to the subnet broadcast address has toAddress = the broadcast address", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.255", 1234, "all");
  deliver(world);
  t.deepEqual(calls.map((c) => [c.toAddress, c.toPort, c.text]), [["192.168.1.255", 1234, "all"]]);
  t.is(calls[0].toAddress, iface.getiptable().ipv4.broadcast ?? "(no broadcast)");
});

test("unicast and broadcast can be told apart by comparing with getiptable()", (t) => {
  const { iface, world } = connectedDevice();
  const ip = iface.getiptable().ipv4;
  const kinds: string[] = [];
  iface.openudp((_from, _port, to) => kinds.push(to === ip.address ? "unicast" : to === ip.broadcast ? "broadcast" : "other"), 1234);
  const peer = world.lan.peer(PEER, PEER_PORT);
  peer.send("192.168.1.10", 1234, "u");
  peer.send("192.168.1.255", 1234, "b");
  deliver(world);
  t.deepEqual(kinds, ["unicast", "broadcast"]);
});

test("binary payloads arrive byte for byte, and the blob can be read with readn", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, new Uint8Array([0x01, 0x00, 0xff, 0x80]));
  deliver(world);
  const data = calls[0].data;
  t.deepEqual([...data.bytes()], [0x01, 0x00, 0xff, 0x80]);
  t.is(data.readn("w"), 1);
  t.is(data.readn("b"), 255);
});

test("a zero-length datagram is delivered as an empty blob", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "");
  deliver(world);
  t.is(calls.length, 1);
  t.is(calls[0].data.len(), 0);
});

test("each datagram gets its own blob, in arrival order", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  const peer = world.lan.peer(PEER, PEER_PORT);
  for (let i = 0; i < 10; i++) peer.send("192.168.1.10", 1234, `#${i}`);
  deliver(world);
  t.deepEqual(calls.map((c) => c.text), Array.from({ length: 10 }, (_, i) => `#${i}`));
  t.is(new Set(calls.map((c) => c.data)).size, 10);
});

test("datagrams for other ports are not delivered", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1235, "elsewhere");
  deliver(world);
  t.deepEqual(calls, []);
});

test("a callback can answer from inside itself (echo)", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp((from, port, _to, _toPort, data) => {
    t.is(socket.send(from, port, data), 0);
  }, 1234);
  peer.send("192.168.1.10", 1234, "ping");
  deliver(world);
  t.deepEqual(peer.texts(), ["ping"]);
  t.is(peer.received[0].fromPort, 1234);
});

test("nothing is delivered while the link is down; a bound socket receives again after reconnecting", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 1234);
  const peer = world.lan.peer(PEER, PEER_PORT);
  world.device.link("eth0").set("no-link");
  peer.send("192.168.1.10", 1234, "lost");
  deliver(world);
  t.deepEqual(calls, []);
  world.device.link("eth0").reconnect();
  waitConnected(world, iface);
  peer.send("192.168.1.10", 1234, "back");
  deliver(world);
  t.deepEqual(calls.map((c) => c.text), ["back"]);
});

// ---------------------------------------------------------------- receiving between states (docs/compatibility.md §2)

test("a datagram that arrives while the interface is DHCPING is read and dropped, not delivered; delivery starts at CONNECTED", (t) => {
  const device = openDevice();
  const { iface, world, runtime } = device;
  const { calls, callback } = recorder();
  world.lan.clock.advance(25); // eth0: link-up at 10 ms, DHCPING at 20 ms, CONNECTED at 30 ms
  t.is(iface.getstate(), NetState.ETHERNET_DHCPING);
  iface.openudp(callback, 1234);
  const peer = world.lan.peer(PEER, PEER_PORT);
  // Like lwIP, the fake link takes limited broadcasts while it has a carrier but no address.
  peer.send("255.255.255.255", 1234, "while dhcping");
  world.lan.clock.advance(2);
  t.is(world.lan.wire.length, 1);
  t.deepEqual(calls, []);
  t.is(runtime.droppedNotConnected, 1, "the datagram was read off the platform queue and counted");
  waitConnected(world, iface);
  peer.send("255.255.255.255", 1234, "connected");
  deliver(world);
  t.deepEqual(calls.map((c) => c.text), ["connected"]);
});

for (const phase of ["link-up", "addressing", "no-link", "unhappy", "stopped"] as const) {
  test(`a host delivering datagrams while the link is ${phase} gets its queue drained and nothing reaches the callback`, (t) => {
    const { iface, world, runtime } = connectedDevice();
    const { calls, callback } = recorder();
    const socket = iface.openudp(callback, 1234);
    world.device.link("eth0").set(phase);
    const queued = [1, 2, 3].map((n) => Object.assign(new Uint8Array([n]).buffer, { address: PEER, port: PEER_PORT }));
    const endpoint = endpointWith(...queued);
    socket.readable(endpoint);
    t.deepEqual(calls, []);
    t.is(endpoint.read(), undefined, "the queue was drained");
    t.is(runtime.droppedNotConnected, 3);
    t.deepEqual(world.log.errors, []);
  });
}

test("datagrams delivered in the same host turn as CONNECTED reach the callback (the state is judged at delivery)", (t) => {
  const device = openDevice();
  const { calls, callback } = recorder();
  device.world.lan.clock.advance(25);
  const socket = device.iface.openudp(callback, 1234);
  waitConnected(device.world, device.iface);
  socket.readable(endpointWith(Object.assign(new Uint8Array([104, 105]).buffer, { address: PEER, port: PEER_PORT })));
  t.deepEqual(calls.map((c) => c.text), ["hi"]);
  t.is(device.runtime.droppedNotConnected, 0);
});

// ---------------------------------------------------------------- onreceive

test("onreceive replaces the callback given to openudp", (t) => {
  const { iface, world } = connectedDevice();
  const first = recorder();
  const second = recorder();
  const socket = iface.openudp(first.callback, 1234);
  socket.onreceive(second.callback);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.is(first.calls.length, 0);
  t.is(second.calls.length, 1);
});

test("onreceive(null) stops delivery; setting a callback again resumes it", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, 1234);
  const peer = world.lan.peer(PEER, PEER_PORT);
  socket.onreceive(null);
  peer.send("192.168.1.10", 1234, "dropped");
  deliver(world);
  t.deepEqual(calls, []);
  socket.onreceive(callback);
  peer.send("192.168.1.10", 1234, "kept");
  deliver(world);
  t.deepEqual(calls.map((c) => c.text), ["kept"]);
});

test("a socket opened with a null callback receives once onreceive sets one", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  const socket = iface.openudp(null, 20001);
  const peer = world.lan.peer(PEER, PEER_PORT);
  peer.send("192.168.1.10", 20001, "unheard");
  deliver(world);
  socket.onreceive(callback);
  peer.send("192.168.1.10", 20001, "heard");
  deliver(world);
  t.deepEqual(calls.map((c) => c.text), ["heard"]);
});

test("onreceive rejects a non-function, keeping the old callback", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, 1234);
  for (const bad of ["cb", 1, {}, true]) {
    t.throws(() => socket.onreceive(bad as never), {
      instanceOf: TypeError,
      message: /^onreceive: callback must be a function or null, not /,
    });
  }
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.is(calls.length, 1);
});

test("onreceive on a closed socket throws", (t) => {
  const { iface } = connectedDevice();
  const socket = iface.openudp(null, 1234);
  socket.close();
  t.throws(() => socket.onreceive(() => {}), { instanceOf: Error, message: /^onreceive: socket is closed$/ });
  t.throws(() => socket.onreceive(null), { message: /^onreceive: socket is closed$/ });
});

// ---------------------------------------------------------------- close / isopen

test("isopen() is true before binding, after binding, and false after close()", (t) => {
  const { iface, world } = connectedDevice();
  const socket = iface.openudp();
  t.true(socket.isopen());
  t.is(socket.send(PEER, PEER_PORT, "bind me"), 0);
  t.not(portOf(socket), 0);
  t.true(socket.isopen());
  socket.close();
  t.false(socket.isopen());
  t.deepEqual(world.device.boundPorts(), []);
});

test("close() frees the port: the same port can be opened again and the new socket receives", (t) => {
  const { iface, world } = connectedDevice();
  const old = recorder();
  const fresh = recorder();
  const first = iface.openudp(old.callback, 1234);
  first.close();
  t.deepEqual(world.device.boundPorts(), []);
  const second = iface.openudp(fresh.callback, 1234);
  t.true(second.isopen());
  t.deepEqual(world.device.boundPorts(), [1234]);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.is(old.calls.length, 0);
  t.is(fresh.calls.length, 1);
});

test("close() is idempotent and never throws, bound or not; isopen() never throws", (t) => {
  const { iface, world } = connectedDevice();
  const bound = iface.openudp(null, 1234);
  const unbound = iface.openudp();
  for (const socket of [bound, unbound]) {
    t.notThrows(() => socket.close());
    t.notThrows(() => socket.close());
    t.notThrows(() => socket.close());
    t.false(socket.isopen());
    t.false(socket.isopen());
  }
  t.deepEqual(world.device.boundPorts(), []);
});

test("a second close() of an old socket does not free the port of a newer socket", (t) => {
  const { iface, world } = connectedDevice();
  const old = iface.openudp(null, 1234);
  old.close();
  const current = iface.openudp(null, 1234);
  old.close();
  t.deepEqual(world.device.boundPorts(), [1234]);
  t.throws(() => iface.openudp(null, 1234), { message: /already in use/ });
  t.true(current.isopen());
});

test("a closed socket receives nothing, even with datagrams already in flight", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "in flight");
  socket.close();
  deliver(world);
  t.deepEqual(calls, []);
});

test("a socket can close itself from inside its receive callback", (t) => {
  const { iface, world } = connectedDevice();
  let count = 0;
  const socket = iface.openudp(() => {
    count++;
    socket.close();
  }, 1234);
  const peer = world.lan.peer(PEER, PEER_PORT);
  peer.send("192.168.1.10", 1234, "1");
  peer.send("192.168.1.10", 1234, "2");
  deliver(world);
  t.is(count, 1);
  t.false(socket.isopen());
  t.deepEqual(world.device.boundPorts(), []);
});

// ---------------------------------------------------------------- throwing callbacks

test("a throwing receive callback is reported through server.error naming the callback; the socket keeps working", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  let calls = 0;
  const socket = iface.openudp(() => {
    calls++;
    throw new Error("receive boom");
  }, 1234);
  const other = recorder();
  iface.openudp(other.callback, 1235);
  peer.send("192.168.1.10", 1234, "1");
  peer.send("192.168.1.10", 1235, "to the other socket");
  peer.send("192.168.1.10", 1234, "2");
  deliver(world);
  t.is(calls, 2, "the callback is still called after it threw");
  t.is(world.log.errors.length, 2);
  for (const line of world.log.errors) t.regex(line, /^onreceive callback threw: Error: receive boom/);
  t.deepEqual(other.calls.map((c) => c.text), ["to the other socket"]);
  t.true(socket.isopen());
  t.is(socket.send(PEER, PEER_PORT, "still sending"), 0);
  deliver(world);
  t.deepEqual(peer.texts(), ["still sending"]);
});

test("a receive callback that throws a non-Error value is reported too", (t) => {
  const { iface, world } = connectedDevice();
  iface.openudp(() => {
    throw "plain string";
  }, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.deepEqual(world.log.errors, ['onreceive callback threw: uncaught "plain string": plain string']);
});

test("imp.onunhandledexception(handler) receives the thrown error instead of server.error", (t) => {
  const { iface, world, imp } = connectedDevice();
  const caught: unknown[] = [];
  imp.onunhandledexception((e) => caught.push(e));
  const boom = new Error("receive boom");
  iface.openudp(() => {
    throw boom;
  }, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.deepEqual(caught, [boom]);
  t.deepEqual(world.log.errors, []);
});

test("imp.onunhandledexception(null) restores reporting through server.error", (t) => {
  const { iface, world, imp } = connectedDevice();
  const caught: unknown[] = [];
  imp.onunhandledexception((e) => caught.push(e));
  imp.onunhandledexception(null);
  iface.openudp(() => {
    throw new Error("boom");
  }, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.deepEqual(caught, []);
  t.is(world.log.errors.length, 1);
});

test("an unhandled-exception handler that throws itself is reported along with the original error", (t) => {
  const { iface, world, imp } = connectedDevice();
  imp.onunhandledexception(() => {
    throw new Error("handler boom");
  });
  iface.openudp(() => {
    throw new Error("receive boom");
  }, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.is(world.log.errors.length, 2);
  t.regex(world.log.errors[0], /^imp\.onunhandledexception handler threw: Error: handler boom/);
  t.regex(world.log.errors[1], /^onreceive callback threw: Error: receive boom/);
});

test("imp.onunhandledexception rejects a non-function and keeps the handler it had", (t) => {
  const { imp, iface, world } = connectedDevice();
  const caught: unknown[] = [];
  imp.onunhandledexception((e) => caught.push(e));
  for (const bad of ["handler", 1, {}]) {
    t.throws(() => imp.onunhandledexception(bad as never), {
      instanceOf: TypeError,
      message: /^imp\.onunhandledexception: handler must be a function or null, not /,
    });
  }
  iface.openudp(() => {
    throw new Error("boom");
  }, 1234);
  world.lan.peer(PEER, PEER_PORT).send("192.168.1.10", 1234, "x");
  deliver(world);
  t.is(caught.length, 1);
  t.deepEqual(world.log.errors, []);
});

test("when the host cannot tell a datagram's destination, toAddress is the interface's own unicast address", (t) => {
  const { iface } = connectedDevice();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, 1234);
  // a host without destination information delivers datagrams without a destination (port contract)
  socket.readable(endpointWith(Object.assign(new Uint8Array([104, 105]).buffer, { address: PEER, port: PEER_PORT })));
  t.deepEqual(calls.map((c) => [c.toAddress, c.toPort, c.text]), [["192.168.1.10", 1234, "hi"]]);
});

test("the received blob wraps the host's buffer: len() is the datagram size", (t) => {
  const { iface } = connectedDevice();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, 1234);
  const buffer = new Uint8Array([1, 2, 3, 4, 5]).buffer;
  socket.readable(endpointWith(Object.assign(buffer, { address: PEER, port: PEER_PORT, destination: "192.168.1.10" })));
  t.is(calls[0].data.len(), 5);
  t.is(calls[0].pointer, 0);
});

/** A host endpoint holding `datagrams`, as a host passes it to `readable()`. */
function endpointWith(...datagrams: ReceivedDatagram[]): Endpoint {
  return {
    read: () => datagrams.shift(),
    write: () => {},
    close: () => {},
  };
}
