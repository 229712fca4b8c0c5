/**
 * impos-net-spec.md §6.1: udpsocket.send(address, port, data): every check,
 * the return codes, what reaches the peer, and that a rejected call changes
 * nothing.
 */
import test, { type ExecutionContext } from "ava";
import fc from "fast-check";
import { Blob } from "../../modules/impnet/core/blob";
import { formatIPv4 } from "../../modules/impnet/core/address";
import { MAX_SIZE, SEND_ERROR_NOT_CONNECTED, SEND_ERROR_TIMEOUT } from "../../modules/impnet/core/constants";
import type { UdpSocket } from "../../modules/impnet/core/udpsocket";
import { blobOf, connectedDevice, deliver, openDevice, portOf, textOf, tokens, waitConnected, type OpenDevice } from "../support/device";

const PEER = "192.168.1.50";
const PEER_PORT = 5000;

interface Snapshot {
  bound: number[];
  sent: number;
  wire: number;
  port: number;
  tokens: number | null;
  open: boolean;
}

function snapshot(device: OpenDevice, socket: UdpSocket): Snapshot {
  return {
    bound: device.world.device.boundPorts(),
    sent: device.world.device.sent.length,
    wire: device.world.lan.wire.length,
    port: portOf(socket),
    tokens: tokens(device.runtime),
    open: socket.isopen(),
  };
}

/** Asserts `send(...)` throws `type` with `message` and leaves everything as it was (unbound sockets stay unbound). */
function rejects(
  t: ExecutionContext,
  device: OpenDevice,
  socket: UdpSocket,
  args: [unknown, unknown, unknown],
  type: typeof Error | typeof TypeError | typeof RangeError,
  message: RegExp,
): void {
  const before = snapshot(device, socket);
  const error = t.throws(() => socket.send(...(args as [string, number, string])), { message });
  t.is(error?.constructor, type, `${String(args[0])} ${String(args[1])}`);
  t.deepEqual(snapshot(device, socket), before);
}

// ---------------------------------------------------------------- success

test("send returns 0 and the peer receives the exact bytes from the device's address and port", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp(null, 1234);
  t.is(socket.send(PEER, PEER_PORT, "hello"), 0);
  deliver(world);
  t.is(peer.received.length, 1);
  const d = peer.received[0];
  t.is(d.from, "192.168.1.10");
  t.is(d.fromPort, 1234);
  t.is(d.to, PEER);
  t.is(d.toPort, PEER_PORT);
  t.is(textOf(d.data), "hello");
});

test("send encodes a string as UTF-8", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  t.is(iface.openudp().send(PEER, PEER_PORT, "h\u00e9llo \u20ac"), 0);
  deliver(world);
  t.deepEqual([...peer.received[0].data], [...Buffer.from("h\u00e9llo \u20ac", "utf8")]);
});

test("send of a blob sends its bytes, binary included", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const bytes = new Uint8Array([0, 1, 127, 128, 200, 255, 0]);
  t.is(iface.openudp().send(PEER, PEER_PORT, Blob.from(bytes)), 0);
  deliver(world);
  t.deepEqual(peer.received[0].data, bytes);
});

test("a blob is sent whole, whatever its read/write pointer, and the pointer is not moved", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp();
  const atEnd = new Blob();
  atEnd.writestring("hello world");
  t.is(atEnd.tell(), 11);
  t.is(socket.send(PEER, PEER_PORT, atEnd), 0);
  const middle = blobOf("hello world");
  middle.seek(6);
  t.is(socket.send(PEER, PEER_PORT, middle), 0);
  t.is(atEnd.tell(), 11);
  t.is(middle.tell(), 6);
  deliver(world);
  t.deepEqual(peer.texts(), ["hello world", "hello world"]);
});

test("the bytes are taken at send time: changing the blob afterwards does not change the datagram", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const blob = blobOf("abc");
  t.is(iface.openudp().send(PEER, PEER_PORT, blob), 0);
  blob.seek(0);
  blob.writestring("xyz");
  deliver(world);
  t.deepEqual(peer.texts(), ["abc"]);
});

test("zero-length datagrams are allowed, from an empty string and from an empty blob", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp();
  t.is(socket.send(PEER, PEER_PORT, ""), 0);
  t.is(socket.send(PEER, PEER_PORT, new Blob()), 0);
  deliver(world);
  t.deepEqual(peer.received.map((d) => d.data.length), [0, 0]);
});

test("send to the subnet broadcast address reaches every peer on the subnet", (t) => {
  const { iface, world } = connectedDevice();
  const a = world.lan.peer("192.168.1.50", 7000);
  const b = world.lan.peer("192.168.1.51", 7000);
  const other = world.lan.peer("192.168.2.50", 7000);
  t.is(iface.openudp().send("192.168.1.255", 7000, "all"), 0);
  deliver(world);
  t.deepEqual(a.texts(), ["all"]);
  t.deepEqual(b.texts(), ["all"]);
  t.deepEqual(other.texts(), []);
});

test("consecutive datagrams arrive in order", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp(null, 1234);
  for (let i = 0; i < 20; i++) t.is(socket.send(PEER, PEER_PORT, `#${i}`), 0);
  deliver(world);
  t.deepEqual(peer.texts(), Array.from({ length: 20 }, (_, i) => `#${i}`));
});

test("send() == 0 then close() in the same turn: every datagram still reaches the peer, in order (bound, unbound, many sockets)", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const bound = iface.openudp(null, 1234);
  for (let i = 0; i < 3; i++) t.is(bound.send(PEER, PEER_PORT, `bound ${i}`), 0);
  bound.close();
  const unbound = iface.openudp();
  t.is(unbound.send(PEER, PEER_PORT, "unbound"), 0);
  unbound.close();
  for (let i = 0; i < 300; i++) {
    const socket = iface.openudp();
    t.is(socket.send(PEER, PEER_PORT, `many ${i}`), 0);
    socket.close();
  }
  deliver(world);
  t.deepEqual(peer.texts(), ["bound 0", "bound 1", "bound 2", "unbound", ...Array.from({ length: 300 }, (_, i) => `many ${i}`)]);
  t.deepEqual(world.device.boundPorts(), [], "every port was freed");
});

// ---------------------------------------------------------------- closed socket

test("send on a closed socket throws and sends nothing", (t) => {
  const device = connectedDevice();
  for (const socket of [device.iface.openudp(null, 1234), device.iface.openudp()]) {
    socket.close();
    rejects(t, device, socket, [PEER, PEER_PORT, "x"], Error, /^send: socket is closed$/);
  }
});

// ---------------------------------------------------------------- address

const malformed = [
  "",
  "192.168.1",
  "192.168.1.",
  ".192.168.1.1",
  "192.168.1.1.1",
  "192.168.1.256",
  "192.168.300.1",
  "192.168.01.1",
  "192.168.1.01",
  "010.0.0.1",
  "192.168.1.00",
  " 192.168.1.1",
  "192.168.1.1 ",
  "192.168. 1.1",
  "192.168.1.1\n",
  "192.168..1",
  "+192.168.1.1",
  "192.168.1.-1",
  "0x0a.0.0.1",
  "1e1.0.0.1",
  "::1",
  "fe80::1",
  "::ffff:192.168.1.1",
  "2001:db8::1",
  "localhost",
  "my-pc.local",
  "192.168.1.1:5000",
  "192.168.1.1/24",
  "\uff11\uff19\uff12.168.1.1",
];

for (const address of malformed) {
  test(`send rejects malformed address ${JSON.stringify(address)} (TypeError)`, (t) => {
    const device = connectedDevice();
    const socket = device.iface.openudp();
    rejects(t, device, socket, [address, PEER_PORT, "x"], TypeError, /^send: address .* is not a dotted-quad IPv4 address$/);
  });
}

for (const [title, value] of [
  ["a number", 3232235826],
  ["null", null],
  ["undefined", undefined],
  ["an object", { address: PEER }],
  ["an array", [192, 168, 1, 50]],
  ["a blob", blobOf(PEER)],
] as [string, unknown][]) {
  test(`send rejects an address that is ${title} (TypeError)`, (t) => {
    const device = connectedDevice();
    const socket = device.iface.openudp();
    rejects(t, device, socket, [value, PEER_PORT, "x"], TypeError, /^send: address .* is not a string$/);
  });
}

const notPrivate: [string, string][] = [
  ["public", "8.8.8.8"],
  ["public 11/8", "11.0.0.1"],
  ["loopback", "127.0.0.1"],
  ["loopback net", "127.255.255.254"],
  ["link-local", "169.254.1.1"],
  ["CGNAT", "100.64.0.1"],
  ["CGNAT top", "100.127.255.254"],
  ["multicast", "224.0.0.1"],
  ["SSDP multicast", "239.255.255.250"],
  ["limited broadcast", "255.255.255.255"],
  ["unspecified", "0.0.0.0"],
  ["just below 172.16/12", "172.15.255.255"],
  ["just above 172.16/12", "172.32.0.0"],
  ["just below 192.168/16", "192.167.255.255"],
  ["just above 192.168/16", "192.169.0.0"],
  ["just below 10/8", "9.255.255.255"],
  ["just above 10/8", "11.0.0.0"],
];

for (const [title, address] of notPrivate) {
  test(`send rejects ${title} address ${address} (RangeError)`, (t) => {
    const device = connectedDevice();
    const socket = device.iface.openudp();
    rejects(
      t,
      device,
      socket,
      [address, PEER_PORT, "x"],
      RangeError,
      new RegExp(`^send: address ${address.replace(/\./g, "\\.")} is not a private \\(10/8, 172\\.16/12, 192\\.168/16\\) address$`),
    );
  });
}

/** Each private range's edges, sent from an interface whose subnet holds them. */
const privateEdges: [string, string, string[]][] = [
  ["10.1.2.3", "255.0.0.0", ["10.0.0.0", "10.0.0.1", "10.255.255.255", "10.1.255.255"]],
  ["172.20.0.5", "255.240.0.0", ["172.16.0.0", "172.16.0.1", "172.31.255.255"]],
  ["192.168.7.7", "255.255.0.0", ["192.168.0.0", "192.168.0.1", "192.168.255.255", "192.168.1.255"]],
];

for (const [address, netmask, destinations] of privateEdges) {
  test(`send accepts the private range edges inside the interface's subnet ${address}/${netmask}`, (t) => {
    const { iface, world } = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address, netmask }] });
    const socket = iface.openudp(null, 1234);
    for (const destination of destinations) t.is(socket.send(destination, PEER_PORT, "x"), 0, destination);
    t.deepEqual(
      world.device.sent.map((d) => d.to),
      destinations,
    );
  });
}

// ---------------------------------------------------------------- only the interface's own subnet

const OFF_SUBNET = /^send: address (\S+) is outside eth0's subnet 192\.168\.1\.0\/24$/;

for (const address of ["192.168.99.1", "192.168.0.255", "192.168.2.0", "10.0.0.1", "172.16.0.1", "192.168.255.255"]) {
  test(`send refuses the private address ${address} outside the interface's subnet 192.168.1.0/24 (RangeError naming the subnet)`, (t) => {
    const device = connectedDevice();
    rejects(t, device, device.iface.openudp(), [address, PEER_PORT, "x"], RangeError, OFF_SUBNET);
    const bound = device.iface.openudp(null, 1234);
    rejects(t, device, bound, [address, PEER_PORT, "x"], RangeError, OFF_SUBNET);
    t.is(device.world.lan.wire.length, 0, "nothing reached the wire");
  });
}

test("send accepts the whole own subnet: its network address, every host and its broadcast address", (t) => {
  const { iface, world } = connectedDevice();
  const socket = iface.openudp(null, 1234);
  for (let host = 0; host <= 255; host++) t.is(socket.send(`192.168.1.${host}`, PEER_PORT, ""), 0);
  t.is(world.device.sent.length, 256);
});

test("the subnet is the interface's own: a /16 netmask widens it, a /30 narrows it", (t) => {
  const wide = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: "255.255.0.0" }] });
  t.is(wide.iface.openudp().send("192.168.99.1", PEER_PORT, "x"), 0);
  const narrow = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: "255.255.255.252" }] });
  const socket = narrow.iface.openudp();
  t.is(socket.send("192.168.1.11", PEER_PORT, "x"), 0, "the /30's broadcast address");
  t.throws(() => socket.send("192.168.1.12", PEER_PORT, "x"), { instanceOf: RangeError, message: "send: address 192.168.1.12 is outside eth0's subnet 192.168.1.8/30" });
});

test("the address check comes first: an off-subnet address wins over a bad port and bad data", (t) => {
  const device = connectedDevice();
  const socket = device.iface.openudp();
  rejects(t, device, socket, ["192.168.99.1", 67, null], RangeError, OFF_SUBNET);
});

test("while not connected the subnet is unknown: an off-subnet private address returns 1, a public one still throws", (t) => {
  const device = openDevice();
  const socket = device.iface.openudp();
  t.is(socket.send("192.168.99.1", PEER_PORT, "x"), SEND_ERROR_NOT_CONNECTED);
  t.throws(() => socket.send("8.8.8.8", PEER_PORT, "x"), { instanceOf: RangeError, message: /not a private/ });
  waitConnected(device.world, device.iface);
  rejects(t, device, socket, ["192.168.99.1", PEER_PORT, "x"], RangeError, OFF_SUBNET);
});

test("after a reconnect into another subnet, an address accepted before is checked against the new subnet", (t) => {
  const { iface, world } = connectedDevice();
  const socket = iface.openudp(null, 1234);
  t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  const link = world.device.link("eth0");
  link.set("no-link");
  t.is(socket.send(PEER, PEER_PORT, "x"), SEND_ERROR_NOT_CONNECTED);
  link.options.address = "10.77.0.2";
  link.reconnect();
  waitConnected(world, iface);
  t.throws(() => socket.send(PEER, PEER_PORT, "x"), { instanceOf: RangeError, message: "send: address 192.168.1.50 is outside eth0's subnet 10.77.0.0/24" });
  t.is(socket.send("10.77.0.9", PEER_PORT, "x"), 0);
});

test("an interface whose netmask the host cannot tell has no known subnet: only the private-address rule applies", (t) => {
  const { iface } = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet", address: "192.168.1.10", netmask: undefined }] });
  t.is(iface.getiptable().ipv4.netmask, undefined);
  t.is(iface.openudp().send("10.0.0.1", PEER_PORT, "x"), 0);
});

function isPrivate(value: number): boolean {
  return value >>> 24 === 10 || (value >>> 20 === (172 << 4 | 1)) || value >>> 16 === (192 << 8 | 168);
}

test("property: a dotted quad is accepted exactly when it is private and inside the interface's subnet 192.168.1.0/24", (t) => {
  const { iface } = connectedDevice();
  const socket = iface.openudp(null, 1234);
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.integer({ min: 0x0a000000, max: 0x0affffff }),
          fc.integer({ min: 0xac000000, max: 0xac2fffff }),
          fc.integer({ min: 0xc0a80000, max: 0xc0a8ffff }),
          fc.integer({ min: 0xc0a80100, max: 0xc0a801ff }),
        ),
        (value) => {
          const address = formatIPv4(value);
          let accepted: boolean;
          try {
            accepted = socket.send(address, PEER_PORT, "") === 0;
          } catch (error) {
            if (!(error instanceof RangeError)) throw error;
            accepted = false;
          }
          return accepted === (isPrivate(value) && value >>> 8 === 0xc0a801);
        },
      ),
      { numRuns: 2000 },
    ),
  );
});

test("property: strings that are not canonical dotted quads are rejected with a TypeError", (t) => {
  const device = connectedDevice();
  const socket = device.iface.openudp();
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), (text) => {
      const canonical = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
      const ok = canonical !== null && canonical.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
      if (ok) return true;
      try {
        socket.send(text, PEER_PORT, "x");
        return false;
      } catch (error) {
        return error instanceof TypeError && /^send: address /.test(error.message);
      }
    }),
    { numRuns: 2000 },
  );
  t.is(portOf(socket), 0, "the socket never got bound");
});

test("an address check still applies after a good address was used (no stale acceptance)", (t) => {
  const device = connectedDevice();
  const socket = device.iface.openudp(null, 1234);
  t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  rejects(t, device, socket, ["8.8.8.8", PEER_PORT, "x"], RangeError, /not a private/);
  t.is(socket.send(PEER, PEER_PORT, "x"), 0);
  rejects(t, device, socket, [PEER, 67, "x"], RangeError, /reserved/);
});

// ---------------------------------------------------------------- port

test("send accepts destination ports 0, 1, 66, 69 and 65535", (t) => {
  const { iface, world } = connectedDevice();
  const socket = iface.openudp(null, 1234);
  for (const port of [0, 1, 66, 69, 65535]) t.is(socket.send(PEER, port, "x"), 0, String(port));
  t.deepEqual(world.device.sent.map((d) => d.toPort), [0, 1, 66, 69, 65535]);
});

for (const port of [-1, 65536, 100000, -65535]) {
  test(`send rejects destination port ${port} (RangeError)`, (t) => {
    const device = connectedDevice();
    rejects(t, device, device.iface.openudp(), [PEER, port, "x"], RangeError, new RegExp(`^send: port ${port} is outside 0-65535$`));
  });
}

for (const port of [67, 68]) {
  test(`send rejects destination port ${port} (DHCP/BOOTP, RangeError)`, (t) => {
    const device = connectedDevice();
    rejects(t, device, device.iface.openudp(), [PEER, port, "x"], RangeError, new RegExp(`^send: port ${port} is reserved for DHCP/BOOTP$`));
  });
}

for (const [title, port, shown] of [
  ["1.5", 1.5, "1\\.5"],
  ["NaN", NaN, "NaN"],
  ["Infinity", Infinity, "Infinity"],
  ['"5000"', "5000", '"5000"'],
  ["null", null, "null"],
  ["undefined", undefined, "undefined"],
  ["true", true, "true"],
] as [string, unknown, string][]) {
  test(`send rejects destination port ${title} (TypeError)`, (t) => {
    const device = connectedDevice();
    rejects(t, device, device.iface.openudp(), [PEER, port, "x"], TypeError, new RegExp(`^send: port ${shown} is not an integer$`));
  });
}

// ---------------------------------------------------------------- data

for (const [title, data] of [
  ["a number", 42],
  ["null", null],
  ["undefined", undefined],
  ["an object", { data: "x" }],
  ["an array", ["x"]],
  ["a Uint8Array", new Uint8Array([1, 2])],
  ["an ArrayBuffer", new ArrayBuffer(2)],
  ["a boolean", true],
  ["a function", () => "x"],
] as [string, unknown][]) {
  test(`send rejects data that is ${title} (TypeError) and an unbound socket stays unbound`, (t) => {
    const device = connectedDevice();
    rejects(t, device, device.iface.openudp(), [PEER, PEER_PORT, data], TypeError, /^send: data must be a string or blob, not /);
  });
}

test("send accepts 65507 bytes (string and blob) and the peer gets them all", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp();
  t.is(MAX_SIZE, 65507);
  t.is(socket.send(PEER, PEER_PORT, "a".repeat(65507)), 0);
  t.is(socket.send(PEER, PEER_PORT, Blob.from(new Uint8Array(65507).fill(7))), 0);
  deliver(world);
  t.deepEqual(peer.received.map((d) => d.data.length), [65507, 65507]);
  t.true(peer.received[1].data.every((b) => b === 7));
});

test("send rejects 65508 bytes (string and blob) with a RangeError and the socket stays unbound", (t) => {
  const device = connectedDevice();
  const socket = device.iface.openudp();
  const message = /^send: data is 65508 bytes, above the 65507-byte maximum$/;
  rejects(t, device, socket, [PEER, PEER_PORT, "a".repeat(65508)], RangeError, message);
  rejects(t, device, socket, [PEER, PEER_PORT, Blob.from(new Uint8Array(65508))], RangeError, message);
});

test("the size limit counts encoded bytes: 32754 two-byte characters (65508 bytes) are too many", (t) => {
  const device = connectedDevice();
  const socket = device.iface.openudp();
  rejects(t, device, socket, [PEER, PEER_PORT, "\u00e9".repeat(32754)], RangeError, /^send: data is 65508 bytes/);
  t.is(socket.send(PEER, PEER_PORT, "\u00e9".repeat(32753) + "a"), 0, "65507 bytes are fine");
});

test("checks run in order: a closed socket wins over bad arguments, address before port before data", (t) => {
  const device = connectedDevice();
  const socket = device.iface.openudp();
  t.throws(() => socket.send("8.8.8.8", 67, null as never), { message: /^send: address/ });
  t.throws(() => socket.send(PEER, 67, null as never), { message: /^send: port/ });
  t.throws(() => socket.send(PEER, PEER_PORT, null as never), { message: /^send: data/ });
  socket.close();
  t.throws(() => socket.send("8.8.8.8", 67, null as never), { message: /^send: socket is closed$/ });
});

// ---------------------------------------------------------------- a rejected call, repeated

// send() caches the last destination address and port that passed its checks (an echo answers
// the same peer again and again). A cache updated before its check would let the second of two
// identical bad calls through: every rejected argument is tried twice in a row, on a socket that
// has never sent and on one whose caches hold a good destination.
const REJECTED_TWICE: [string, [unknown, unknown, unknown], typeof TypeError | typeof RangeError, RegExp][] = [
  ["port 67 (DHCP)", [PEER, 67, "x"], RangeError, /^send: port 67 is reserved for DHCP\/BOOTP$/],
  ["port 68 (DHCP)", [PEER, 68, "x"], RangeError, /^send: port 68 is reserved for DHCP\/BOOTP$/],
  ["port -1", [PEER, -1, "x"], RangeError, /^send: port -1 is outside 0-65535$/],
  ["port 65536", [PEER, 65536, "x"], RangeError, /^send: port 65536 is outside 0-65535$/],
  ["port 1.5", [PEER, 1.5, "x"], TypeError, /^send: port 1\.5 is not an integer$/],
  ['port "5000"', [PEER, "5000", "x"], TypeError, /^send: port "5000" is not an integer$/],
  ["port NaN", [PEER, NaN, "x"], TypeError, /^send: port NaN is not an integer$/],
  ["public address", ["8.8.8.8", PEER_PORT, "x"], RangeError, /^send: address 8\.8\.8\.8 is not a private/],
  ["loopback address", ["127.0.0.1", PEER_PORT, "x"], RangeError, /^send: address 127\.0\.0\.1 is not a private/],
  ["private address outside the subnet", ["10.0.0.1", PEER_PORT, "x"], RangeError, /^send: address 10\.0\.0\.1 is outside eth0's subnet 192\.168\.1\.0\/24$/],
  ["limited broadcast", ["255.255.255.255", PEER_PORT, "x"], RangeError, /^send: address 255\.255\.255\.255 is not a private/],
  ["malformed address", ["192.168.1.050", PEER_PORT, "x"], TypeError, /^send: address .* is not a dotted-quad IPv4 address$/],
  ["address that is not a string", [3232235826, PEER_PORT, "x"], TypeError, /^send: address .* is not a string$/],
  ["data that is a number", [PEER, PEER_PORT, 42], TypeError, /^send: data must be a string or blob, not /],
  ["data that is null", [PEER, PEER_PORT, null], TypeError, /^send: data must be a string or blob, not /],
  ["data of 65508 bytes", [PEER, PEER_PORT, "a".repeat(65508)], RangeError, /^send: data is 65508 bytes, above the 65507-byte maximum$/],
];

for (const [title, args, type, message] of REJECTED_TWICE) {
  test(`send rejects ${title} twice in a row, on a fresh socket and after a good send`, (t) => {
    const device = connectedDevice();
    const fresh = device.iface.openudp();
    rejects(t, device, fresh, args, type, message);
    rejects(t, device, fresh, args, type, message);
    const used = device.iface.openudp(null, 1234);
    t.is(used.send(PEER, PEER_PORT, "good"), 0);
    rejects(t, device, used, args, type, message);
    rejects(t, device, used, args, type, message);
    t.is(used.send(PEER, PEER_PORT, "good again"), 0);
    deliver(device.world);
    t.deepEqual(
      device.world.device.sent.map((d) => `${d.to}:${d.toPort}`),
      [`${PEER}:${PEER_PORT}`, `${PEER}:${PEER_PORT}`],
      "only the good sends left the device",
    );
  });
}

// ---------------------------------------------------------------- not connected, host failures

test("send returns SEND_ERROR_NOT_CONNECTED (1) while the interface is not connected, and the socket stays unbound", (t) => {
  const device = openDevice();
  const socket = device.iface.openudp();
  const before = snapshot(device, socket);
  t.is(socket.send(PEER, PEER_PORT, "early"), SEND_ERROR_NOT_CONNECTED);
  t.is(SEND_ERROR_NOT_CONNECTED, 1);
  t.deepEqual(snapshot(device, socket), before);
  waitConnected(device.world, device.iface);
  t.is(socket.send(PEER, PEER_PORT, "now"), 0);
  t.not(portOf(socket), 0);
});

test("send still validates its arguments while the interface is not connected", (t) => {
  const device = openDevice();
  const socket = device.iface.openudp();
  t.throws(() => socket.send("8.8.8.8", PEER_PORT, "x"), { instanceOf: RangeError });
  t.throws(() => socket.send(PEER, 68, "x"), { instanceOf: RangeError });
  t.throws(() => socket.send(PEER, PEER_PORT, 1 as never), { instanceOf: TypeError });
});

test("a bound socket returns 1 after the link is lost, and sends again after reconnecting", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp(null, 1234);
  world.device.link("eth0").set("no-link");
  t.is(socket.send(PEER, PEER_PORT, "lost"), 1);
  t.true(socket.isopen(), "the socket is not closed by a link loss");
  t.deepEqual(world.device.boundPorts(), [1234]);
  world.device.link("eth0").reconnect();
  waitConnected(world, iface);
  t.is(socket.send(PEER, PEER_PORT, "back"), 0);
  deliver(world);
  t.deepEqual(peer.texts(), ["back"]);
});

test("host failures map to Send Error Codes: no route (HostError no-network) -> 1, a platform refusal -> 2; later sends succeed", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer(PEER, PEER_PORT);
  const socket = iface.openudp(null, 1234);
  world.device.failNextSends.push("no-route", "failed");
  t.is(socket.send(PEER, PEER_PORT, "a"), SEND_ERROR_NOT_CONNECTED);
  t.is(socket.send(PEER, PEER_PORT, "b"), SEND_ERROR_TIMEOUT);
  t.is(SEND_ERROR_TIMEOUT, 2);
  t.is(socket.send(PEER, PEER_PORT, "c"), 0);
  t.is(socket.send(PEER, PEER_PORT, "d"), 0);
  deliver(world);
  t.deepEqual(peer.texts(), ["c", "d"]);
});

test("an unbound socket whose first send fails in the host keeps the port it was given", (t) => {
  const { iface, world } = connectedDevice();
  const socket = iface.openudp();
  world.device.failNextSends.push("failed");
  t.is(socket.send(PEER, PEER_PORT, "x"), 2);
  const port = portOf(socket);
  t.true(port >= 49152);
  t.deepEqual(world.device.boundPorts(), [port]);
});

test("send does not throw for a well-formed datagram to a peer that does not exist", (t) => {
  const { iface, world } = connectedDevice();
  t.is(iface.openudp().send("192.168.1.99", 9, "nobody"), 0);
  deliver(world);
  t.is(world.lan.wire.length, 1);
});

// ---------------------------------------------------------------- loopback interfaces (the simulator's case)

test("on an interface whose own address is loopback, loopback destinations are accepted (and only there)", (t) => {
  const { iface, world } = connectedDevice(
    { interface: "eth0" },
    { interfaces: [{ name: "eth0", kind: "ethernet", address: "127.0.0.2", netmask: "255.0.0.0" }] },
  );
  const socket = iface.openudp(null, 1234);
  t.is(socket.send("127.0.0.5", PEER_PORT, "x"), 0);
  t.is(socket.send("192.168.1.50", PEER_PORT, "x"), 0, "private addresses stay allowed");
  t.throws(() => socket.send("8.8.8.8", PEER_PORT, "x"), { instanceOf: RangeError });
  t.deepEqual(world.device.sent.map((d) => d.to), ["127.0.0.5", "192.168.1.50"]);
});

test("an address accepted under one interface address is checked again after the interface's address changes", (t) => {
  const { iface, world } = connectedDevice(
    { interface: "eth0" },
    { interfaces: [{ name: "eth0", kind: "ethernet", address: "127.0.0.2", netmask: "255.0.0.0" }] },
  );
  const socket = iface.openudp(null, 1234);
  t.is(socket.send("127.0.0.5", PEER_PORT, "x"), 0);
  const link = world.device.link("eth0");
  link.set("no-link");
  link.options.address = "192.168.1.10";
  link.options.netmask = "255.255.255.0";
  link.reconnect();
  waitConnected(world, iface);
  t.is(iface.getiptable().ipv4.address, "192.168.1.10");
  t.throws(() => socket.send("127.0.0.5", PEER_PORT, "x"), { instanceOf: RangeError, message: /^send: address 127\.0\.0\.5 is not a private/ });
});
