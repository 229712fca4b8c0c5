/**
 * impOS `udpsocket` on the Moddable port (modules/impnet/moddable/udp.ts):
 * `openudp` binding through emulated ECMA-419 UDP, the receive drain,
 * zero-copy Blobs, `toAddress` with and without a packet destination,
 * sends and send failures, and `close()` (docs/impos-api.md §3.3, §6;
 * docs/platform-notes.md §1).
 *
 * One installed board per process: every test is serial and makes its own.
 */
import test from "ava";
import { Blob } from "../../modules/impnet/core/blob";
import { NetState } from "../../modules/impnet/core/constants";
import type { ReceiveCallback } from "../../modules/impnet/core/udpsocket";
import { EPHEMERAL_START, ETH0, WL0, moddableDevice, openInterface, text, type ModdableDevice } from "../support/memory-board";

const PEER = "192.168.1.50";
const PEER_PORT = 5000;
const PORT = 20001;

interface Call {
  from: string;
  fromPort: number;
  to: string;
  toPort: number;
  data: Blob;
  text: string;
}

function recorder(): { calls: Call[]; callback: ReceiveCallback } {
  const calls: Call[] = [];
  return {
    calls,
    callback: (from, fromPort, to, toPort, data) => {
      calls.push({ from, fromPort, to, toPort, data, text: data.tostring() });
    },
  };
}

/** eth0 open and CONNECTED by link events. */
function connected(options: Parameters<typeof moddableDevice>[0] = {}) {
  const device = moddableDevice(options);
  const opened = openInterface(device, { interface: "eth0" });
  device.mb.flush();
  device.mb.linkUp("eth0");
  return { device, mb: device.mb, io: device.io, ...opened };
}

function handleOf(device: ModdableDevice, port: number): number {
  const handle = device.io.handleOf(port);
  if (handle === undefined) throw new Error(`nothing bound to ${port}`);
  return handle;
}

// ================================================================ openudp

test.serial("openudp(cb, port) binds through the emulated UDP socket at once", (t) => {
  const { device, iface, io } = connected();
  t.deepEqual(io.binds, []);
  const socket = iface.openudp(null, PORT);
  t.is(io.binds.length, 1);
  t.is(io.binds[0].requested, PORT);
  t.is(io.binds[0].port, PORT);
  t.true(device.mb.board.sockets.has(io.binds[0].handle), "the emulated socket is registered with the board");
  t.true(socket.isopen());
});

test.serial("openudp: 'bind failed' (port held by another socket) becomes 'localPort N is already in use'; nothing is left bound", (t) => {
  const { device, iface, io } = connected();
  io.taken.add(PORT);
  const error = t.throws(() => iface.openudp(null, PORT));
  t.is(error?.message, `openudp: localPort ${PORT} is already in use`);
  t.is(device.runtime.ports.size, 0);
  t.is(device.mb.board.sockets.size, 0);
  io.taken.delete(PORT);
  t.notThrows(() => iface.openudp(null, PORT), "the port is usable once the other socket let it go");
});

test.serial("openudp: 'no network' (no interface started yet) becomes a clear impOS error", (t) => {
  const device = moddableDevice({ config: { ssid: "home" } });
  const { iface } = openInterface(device, { interface: "wl0" }); // connect() happens on the next turn
  const error = t.throws(() => iface.openudp(null, PORT));
  t.is(error?.message, "openudp: interface wl0 has no network yet");
  t.is(device.runtime.ports.size, 0);
  device.mb.flush();
  t.notThrows(() => iface.openudp(null, PORT), "once WiFi was started there is a network, even before CONNECTED");
});

test.serial("openudp: eth0 whose driver did not install has no network in the same turn, and is unavailable after", (t) => {
  const device = moddableDevice();
  device.mb.board.iface("eth0")!.failed = true;
  const { iface } = openInterface(device, { interface: "eth0" });
  t.throws(() => iface.openudp(null, PORT), { message: "openudp: interface eth0 has no network yet" });
  device.mb.flush();
  t.throws(() => iface.openudp(null, PORT), { message: /eth0 is not powered or is unavailable/ });
  t.deepEqual(device.io.binds, []);
});

test.serial("openudp() without a port binds nothing until the first send, then an ephemeral port in 49152-65535", (t) => {
  const { iface, io } = connected();
  const socket = iface.openudp();
  t.deepEqual(io.binds, []);
  t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  t.is(io.binds.length, 1);
  const port = io.binds[0].requested;
  t.true(port >= 49152 && port <= 65535);
  t.is(io.sent[0].fromPort, port);
  socket.send(PEER, PEER_PORT, "y");
  t.is(io.binds.length, 1, "bound once");
  t.is(io.sent[1].fromPort, port);
});

test.serial("first send: an ephemeral port the platform refuses is skipped for another one", (t) => {
  const { iface, io } = connected();
  // Every ephemeral port but the lwIP-style first one is taken by "other" sockets…
  for (let p = 49152; p <= 65535; p++) io.taken.add(p);
  io.taken.delete(EPHEMERAL_START);
  const originalRandom = Math.random;
  const picks = [0.5, 0.5, 0];
  Math.random = () => (picks.length > 0 ? (picks.shift() as number) : 0);
  try {
    const socket = iface.openudp();
    t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  } finally {
    Math.random = originalRandom;
  }
  t.deepEqual(
    io.binds.map((b) => [b.requested, b.port]),
    [
      [57344, -1],
      [57344, -1],
      [49152, 49152],
    ],
  );
});

// ================================================================ receive

test.serial("receive: several packets in one delivery are all drained, in order, with sender, toAddress and toPort", (t) => {
  const { device, mb, iface } = connected();
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  mb.enqueue(PORT, "one", PEER, 5001);
  mb.enqueue(PORT, "two", PEER, 5002);
  mb.enqueue(PORT, "three", "192.168.1.51", 5003);
  t.deepEqual(calls, []);
  mb.board.notifyReadable();
  t.deepEqual(
    calls.map((c) => [c.text, c.from, c.fromPort, c.to, c.toPort]),
    [
      ["one", PEER, 5001, ETH0.address, PORT],
      ["two", PEER, 5002, ETH0.address, PORT],
      ["three", "192.168.1.51", 5003, ETH0.address, PORT],
    ],
  );
  t.is(device.mb.board.sockets.get(handleOf(device, PORT))?.queued(), 0, "the emulated queue is empty");
});

test.serial("receive: the Blob wraps the very ArrayBuffer read() returned (no copy), at pointer 0", (t) => {
  const { mb, iface } = connected();
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  const packet = mb.deliver(PORT, new Uint8Array([1, 2, 3, 4]), PEER, PEER_PORT);
  t.is(calls.length, 1);
  const blob = calls[0].data;
  t.true(blob instanceof Blob);
  t.is(blob.bytes().buffer, packet, "same ArrayBuffer");
  t.is(blob.len(), 4);
  t.is(blob.tell(), 0);
  new Uint8Array(packet)[0] = 99;
  t.is(blob.readn("b"), 99, "shared bytes");
});

test.serial("receive: toAddress is the packet's destination when the platform gives one (simulator extension)", (t) => {
  const { mb, iface } = connected();
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  mb.deliver(PORT, "b", PEER, PEER_PORT, "192.168.1.255");
  mb.deliver(PORT, "u", PEER, PEER_PORT, ETH0.address);
  t.deepEqual(
    calls.map((c) => [c.text, c.to]),
    [
      ["b", "192.168.1.255"],
      ["u", ETH0.address],
    ],
  );
});

test.serial("receive: without a destination (stock Moddable) toAddress is the interface's unicast address, even for a broadcast", (t) => {
  const { mb, iface, io } = connected({ destinations: false });
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  io.peer(PEER, PEER_PORT).send("192.168.1.255", PORT, "to all");
  mb.advance(1);
  t.deepEqual(
    calls.map((c) => [c.text, c.to]),
    [["to all", ETH0.address]],
  );
});

test.serial("receive: over a network that tells destinations, a broadcast arrives with toAddress = broadcast", (t) => {
  const { mb, iface, io } = connected({ destinations: true, config: { eth0_netmask: "255.255.255.0" } });
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  io.peer(PEER, PEER_PORT).send("192.168.1.255", PORT, "to all");
  io.peer(PEER, PEER_PORT).send(ETH0.address, PORT, "to me");
  mb.advance(1);
  const ip = iface.getiptable().ipv4;
  t.deepEqual(
    calls.map((c) => [c.text, c.to === ip.broadcast ? "broadcast" : c.to === ip.address ? "unicast" : c.to]),
    [
      ["to all", "broadcast"],
      ["to me", "unicast"],
    ],
  );
});

test.serial("receive: a callback that closes the socket mid-drain stops the drain without throwing", (t) => {
  const { device, mb, iface } = connected();
  const seen: string[] = [];
  const socket = iface.openudp((_f, _fp, _t, _tp, data) => {
    seen.push(data.tostring());
    socket.close();
  }, PORT);
  const handle = handleOf(device, PORT);
  mb.enqueue(PORT, "first", PEER, PEER_PORT);
  mb.enqueue(PORT, "second", PEER, PEER_PORT);
  mb.enqueue(PORT, "third", PEER, PEER_PORT);
  t.notThrows(() => mb.board.notifyReadable());
  t.deepEqual(seen, ["first"]);
  t.false(socket.isopen());
  t.deepEqual(device.io.closed, [handle]);
  t.deepEqual(device.logs.error, [], "nothing was reported as an error");
  t.deepEqual(mb.crashes, []);
});

test.serial("receive: a callback that reopens the port after closing gets later packets on the new socket only", (t) => {
  const { device, mb, iface } = connected();
  const seen: string[] = [];
  let socket = iface.openudp((_f, _fp, _t, _tp, data) => {
    seen.push(`old:${data.tostring()}`);
    socket.close();
    socket = iface.openudp((_f2, _fp2, _t2, _tp2, d) => seen.push(`new:${d.tostring()}`), PORT);
  }, PORT);
  mb.enqueue(PORT, "a", PEER, PEER_PORT);
  mb.enqueue(PORT, "b", PEER, PEER_PORT);
  mb.board.notifyReadable();
  mb.deliver(PORT, "c", PEER, PEER_PORT);
  t.deepEqual(seen, ["old:a", "new:c"], "b was queued on the closed socket and dropped with it");
  t.is(device.io.binds.length, 2);
});

test.serial("receive: with no callback (onreceive(null)) packets are still drained from the platform queue and dropped", (t) => {
  const { device, mb, iface } = connected();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, PORT);
  socket.onreceive(null);
  mb.enqueue(PORT, "x", PEER, PEER_PORT);
  mb.enqueue(PORT, "y", PEER, PEER_PORT);
  mb.board.notifyReadable();
  t.deepEqual(calls, []);
  t.is(mb.board.sockets.get(handleOf(device, PORT))?.queued(), 0);
  socket.onreceive(callback);
  mb.deliver(PORT, "z", PEER, PEER_PORT);
  t.deepEqual(
    calls.map((c) => c.text),
    ["z"],
  );
});

test.serial("receive: datagrams the platform delivers while eth0 is DHCPING (lwIP takes broadcasts then) are drained and dropped; CONNECTED delivers again", (t) => {
  const { device, mb, iface } = connected();
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  mb.link("eth0", "link-down");
  mb.link("eth0", "link-up");
  t.is(iface.getstate(), NetState.ETHERNET_DHCPING);
  mb.deliver(PORT, "during dhcp", PEER, PEER_PORT, "255.255.255.255");
  t.deepEqual(calls, []);
  t.is(mb.board.sockets.get(handleOf(device, PORT))?.queued(), 0, "the platform queue was drained");
  t.is(device.runtime.droppedNotConnected, 1);
  mb.link("eth0", "address");
  t.is(iface.getstate(), NetState.CONNECTED);
  mb.deliver(PORT, "connected", PEER, PEER_PORT, ETH0.address);
  t.deepEqual(
    calls.map((c) => c.text),
    ["connected"],
  );
});

test.serial("receive: an error thrown by the callback is reported and the drain carries on", (t) => {
  const { device, mb, iface } = connected();
  const seen: string[] = [];
  iface.openudp((_f, _fp, _t, _tp, data) => {
    seen.push(data.tostring());
    if (data.tostring() === "bad") throw new Error("app bug");
  }, PORT);
  mb.enqueue(PORT, "bad", PEER, PEER_PORT);
  mb.enqueue(PORT, "good", PEER, PEER_PORT);
  mb.board.notifyReadable();
  t.deepEqual(seen, ["bad", "good"]);
  t.is(device.logs.error.length, 1);
  t.regex(device.logs.error[0], /onreceive callback threw: .*app bug/);
});

test.serial("receive on wl0: toAddress defaults to wl0's own address", (t) => {
  const device = moddableDevice({ config: { ssid: "home" } });
  const { iface } = openInterface(device, { interface: "wl0" });
  device.mb.flush();
  device.mb.linkUp("wl0");
  const { calls, callback } = recorder();
  iface.openudp(callback, PORT);
  device.mb.deliver(PORT, "w", "10.1.0.5", 7000);
  t.deepEqual(
    calls.map((c) => [c.from, c.fromPort, c.to, c.toPort]),
    [["10.1.0.5", 7000, WL0.address, PORT]],
  );
});

// ================================================================ send

test.serial("send: a Blob's bytes and a string's UTF-8 reach the platform (and a peer) unchanged", (t) => {
  const { mb, iface, io } = connected();
  const socket = iface.openudp(null, PORT);
  const blob = new Blob(0);
  blob.writen(0x01020304, "i");
  blob.writestring("ok");
  t.is(socket.send(PEER, PEER_PORT, blob), 0);
  t.is(socket.send(PEER, PEER_PORT, "héllo"), 0);
  t.deepEqual(
    io.sent.map((s) => [s.address, s.port, s.fromPort, Array.from(s.data)]),
    [
      [PEER, PEER_PORT, PORT, [4, 3, 2, 1, 0x6f, 0x6b]],
      [PEER, PEER_PORT, PORT, Array.from(new TextEncoder().encode("héllo"))],
    ],
  );
  const peer = io.peer(PEER, PEER_PORT);
  mb.advance(1);
  t.deepEqual(peer.texts(), ["\u0004\u0003\u0002\u0001ok", "héllo"]);
  t.deepEqual(
    peer.received.map((d) => [d.from, d.fromPort]),
    [
      [ETH0.address, PORT],
      [ETH0.address, PORT],
    ],
  );
});

test.serial("send: a blob is sent whole, whatever its pointer, and only its len() bytes (not its spare capacity)", (t) => {
  const { iface, io } = connected();
  const socket = iface.openudp(null, PORT);
  const blob = new Blob(0);
  blob.writestring("abc"); // capacity grows past len()
  t.is(blob.tell(), 3);
  socket.send(PEER, PEER_PORT, blob);
  t.is(text(io.sent[0].data), "abc");
});

test.serial("send: the socket can send to its own interface address and receive the datagram", (t) => {
  const { mb, iface } = connected();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, PORT);
  t.is(socket.send(ETH0.address, PORT, "me"), 0);
  mb.advance(1);
  t.deepEqual(
    calls.map((c) => [c.text, c.from, c.fromPort, c.to]),
    [["me", ETH0.address, PORT, ETH0.address]],
  );
});

test.serial("send: a write failure while the state still says CONNECTED returns 2 (SEND_ERROR_TIMEOUT)", (t) => {
  const { device, iface, io } = connected();
  const socket = iface.openudp(null, PORT);
  // The route goes away below the port, with no link event (the DHCP lease is lost silently, §3.6).
  device.mb.board.iface("eth0")!.hasAddress = false;
  t.is(iface.getstate(), NetState.CONNECTED);
  t.is(socket.send(PEER, PEER_PORT, "x"), 2);
  device.mb.board.iface("eth0")!.hasAddress = true;
  device.mb.board.iface("eth0")!.linkUp = false;
  t.is(socket.send(PEER, PEER_PORT, "x"), 2);
  t.deepEqual(io.sent, []);
  t.true(socket.isopen(), "the socket survives");
  device.mb.board.iface("eth0")!.linkUp = true;
  t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  t.is(io.sent.length, 1);
});

test.serial("send: a platform error below the emulation (sendto failed) also returns 2", (t) => {
  const { iface, io } = connected();
  const socket = iface.openudp(null, PORT);
  io.failNextSend = new Error("sendto failed");
  t.is(socket.send(PEER, PEER_PORT, "x"), 2);
  t.is(socket.send(PEER, PEER_PORT, "y"), 0);
});

test.serial("send: when the interface is not CONNECTED the core returns 1 without touching the platform", (t) => {
  const { mb, iface, io } = connected();
  const socket = iface.openudp(null, PORT);
  mb.link("eth0", "link-down");
  t.is(socket.send(PEER, PEER_PORT, "x"), 1);
  t.deepEqual(io.sent, []);
});

test.serial("send on an unbound socket with the interface down binds nothing", (t) => {
  const { mb, iface, io } = connected();
  const socket = iface.openudp();
  mb.link("eth0", "link-down");
  t.is(socket.send(PEER, PEER_PORT, "x"), 1);
  t.deepEqual(io.binds, []);
});

// ================================================================ close

test.serial("close() closes the emulated socket once, frees the port and stops delivery", (t) => {
  const { device, mb, iface, io } = connected();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, PORT);
  const handle = handleOf(device, PORT);
  socket.close();
  socket.close();
  t.deepEqual(io.closed, [handle]);
  t.false(mb.board.sockets.has(handle));
  t.is(device.runtime.ports.size, 0);
  t.throws(() => socket.send(PEER, PEER_PORT, "x"), { message: /closed/ });
  t.notThrows(() => iface.openudp(null, PORT), "the port can be bound again");
  t.deepEqual(calls, []);
});

test.serial("send() == 0 then close() in the same turn: the platform took every datagram before the close, and the peer gets them in order", (t) => {
  const { device, mb, iface, io } = connected();
  const peer = io.peer(PEER, PEER_PORT);
  const bound = iface.openudp(null, PORT);
  for (let i = 0; i < 3; i++) t.is(bound.send(PEER, PEER_PORT, `bound ${i}`), 0);
  bound.close();
  const unbound = iface.openudp();
  t.is(unbound.send(PEER, PEER_PORT, "unbound"), 0);
  unbound.close();
  t.deepEqual(
    io.sent.map((d) => d.handle),
    [io.closed[0], io.closed[0], io.closed[0], io.closed[1]],
    "each write() reached the platform (lwIP copies it at once) before its socket's close()",
  );
  mb.advance(1);
  t.deepEqual(peer.texts(), ["bound 0", "bound 1", "bound 2", "unbound"]);
  t.is(device.runtime.ports.size, 0);
});

test.serial("close() of a socket that never bound touches nothing on the platform", (t) => {
  const { iface, io } = connected();
  const socket = iface.openudp();
  socket.close();
  t.deepEqual(io.closed, []);
  t.false(socket.isopen());
});

test.serial("sockets survive a link flap: still bound, receiving and sending after CONNECTED again", (t) => {
  const { mb, iface, io } = connected();
  const { calls, callback } = recorder();
  const socket = iface.openudp(callback, PORT);
  mb.link("eth0", "link-down");
  mb.linkUp("eth0");
  t.is(iface.getstate(), NetState.CONNECTED);
  mb.deliver(PORT, "back", PEER, PEER_PORT);
  t.is(socket.send(PEER, PEER_PORT, "again"), 0);
  t.deepEqual(
    calls.map((c) => c.text),
    ["back"],
  );
  t.is(io.binds.length, 1);
  t.deepEqual(io.closed, []);
});
