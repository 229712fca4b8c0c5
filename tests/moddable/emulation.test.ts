/**
 * The emulated Moddable modules (hosts/sim/board) against the observable
 * behaviour docs/platform-notes.md records for the SDK on ESP32: ECMA-419 UDP
 * (§1.2–1.5, the SDK's own tests §1.10), ECMA-419 Ethernet (docs/esp32.md §2),
 * ECMA-419 WiFi (§3.1), `net` (§3.5), `timer` (§6.1), `time`, `mc/config` (§5.1, §7.2).
 *
 * Each test installs a fresh in-memory board; the modules keep one installed
 * board per process, so every test here is serial.
 */
import test from "ava";
import UDP from "../../hosts/sim/board/udp";
import Ethernet from "../../hosts/sim/board/ethernet";
import WiFi from "../../hosts/sim/board/wifi";
import Net from "../../hosts/sim/board/net";
import Timer from "../../hosts/sim/board/timer";
import Time from "../../hosts/sim/board/time";
import config from "../../hosts/sim/board/config";
import { EPHEMERAL_START, ETH0, MemoryBoard, WL0, text } from "../support/memory-board";

const PEER = "192.168.1.50";

/** A board whose eth0 was started (lwIP has a default netif) and, unless `link` is false, is up with its address. */
function started(link = true): MemoryBoard {
  const mb = new MemoryBoard();
  new Ethernet({});
  if (link) mb.linkUp("eth0");
  return mb;
}

type Udp = InstanceType<typeof UDP>;
/** The constructor with the loose option types the runtime accepts. */
const AnyUDP = UDP as unknown as new (options?: unknown) => Udp;

// ================================================================ UDP: constructor

test.serial("UDP: new UDP() without options throws", (t) => {
  started();
  t.throws(() => new AnyUDP(), { instanceOf: SyntaxError });
});

test.serial("UDP: port -1 and 65536 are RangeError('invalid port'), a Symbol is TypeError, nothing is bound", (t) => {
  const mb = started();
  t.throws(() => new AnyUDP({ port: -1 }), { instanceOf: RangeError, message: "invalid port" });
  t.throws(() => new AnyUDP({ port: 65536 }), { instanceOf: RangeError, message: "invalid port" });
  t.throws(() => new AnyUDP({ port: Symbol("p") }), { instanceOf: TypeError });
  t.deepEqual(mb.io.binds, []);
});

test.serial("UDP: ports 1 and 65535 bind; a numeric string or fraction is converted with ToInteger", (t) => {
  const mb = started();
  new AnyUDP({ port: 1 });
  new AnyUDP({ port: 65535 });
  new AnyUDP({ port: "1234" });
  new AnyUDP({ port: 4321.9 });
  t.deepEqual(
    mb.io.binds.map((b) => b.port),
    [1, 65535, 1234, 4321],
  );
});

test.serial("UDP: port 0 or no port binds an ephemeral port at once (lwIP)", (t) => {
  const mb = started();
  new AnyUDP({});
  new AnyUDP({ port: 0 });
  t.deepEqual(
    mb.io.binds.map((b) => [b.requested, b.port]),
    [
      [0, EPHEMERAL_START],
      [0, EPHEMERAL_START + 1],
    ],
  );
});

test.serial("UDP: Error('no network') before any interface was started; works once an Ethernet instance installed the driver", (t) => {
  const mb = new MemoryBoard();
  const error = t.throws(() => new UDP({ port: 1234 }));
  t.is(error?.constructor, Error);
  t.is(error?.message, "no network");
  t.deepEqual(mb.io.binds, [], "no bind was attempted");
  new Ethernet({});
  new UDP({ port: 1234 });
  t.deepEqual(mb.io.binds, [{ handle: mb.io.binds[0].handle, requested: 1234, iface: undefined, port: 1234 }]);
});

test.serial("UDP: a started WiFi also counts as a network (no link needed)", (t) => {
  new MemoryBoard();
  t.throws(() => new UDP({ port: 1 }), { message: "no network" });
  new WiFi({}).connect({ SSID: "lan" });
  t.notThrows(() => new UDP({ port: 1 }));
});

test.serial("UDP: Error('bind failed') when another socket holds the port; the port binds again after close", (t) => {
  const mb = started();
  mb.io.taken.add(5000);
  const error = t.throws(() => new UDP({ port: 5000 }));
  t.is(error?.constructor, Error);
  t.is(error?.message, "bind failed");
  const first = new UDP({ port: 6000 });
  t.throws(() => new UDP({ port: 6000 }), { message: "bind failed" });
  first.close();
  t.notThrows(() => new UDP({ port: 6000 }));
  t.is(mb.board.sockets.size, 1, "only the sockets that bound are registered");
});

test.serial("UDP: onReadable that is not a function is Error('not a function'); null and undefined mean none", (t) => {
  started();
  const error = t.throws(() => new AnyUDP({ port: 1, onReadable: 5 }));
  t.is(error?.constructor, Error);
  t.is(error?.message, "not a function");
  t.notThrows(() => new AnyUDP({ port: 2, onReadable: null }).close());
  t.notThrows(() => new AnyUDP({ port: 2, onReadable: undefined }).close());
});

test.serial("UDP: format 'buffer' is accepted, anything else is RangeError; the getter says 'buffer'", (t) => {
  started();
  const u = new AnyUDP({ port: 1, format: "buffer" });
  t.is(u.format, "buffer");
  t.is(new AnyUDP({ port: 2 }).format, "buffer");
  t.throws(() => new AnyUDP({ port: 3, format: "number" }), { instanceOf: RangeError });
  t.throws(() => new AnyUDP({ port: 3, format: "string;ascii" }), { instanceOf: RangeError });
  t.throws(
    () => {
      (u as { format: string }).format = "number";
    },
    { instanceOf: RangeError },
  );
  t.notThrows(() => {
    u.format = "buffer";
  });
});

test.serial("UDP: a falsy format (false, 0, '', null) means the default 'buffer'", (t) => {
  started();
  for (const format of [false, 0, "", null, undefined]) t.is(new AnyUDP({ format }).format, "buffer");
});

test.serial("UDP: read / write / close with a foreign this throw SyntaxError (invalid-receiver.js)", (t) => {
  const mb = started();
  const proto = UDP.prototype as unknown as Record<"read" | "write" | "close", (...args: unknown[]) => unknown>;
  for (const receiver of [{}, "a string", [1, 2], Object.create(UDP.prototype), undefined]) {
    t.throws(() => proto.read.call(receiver), { instanceOf: SyntaxError });
    t.throws(() => proto.write.call(receiver, new Uint8Array(1), PEER, 1), { instanceOf: SyntaxError });
    t.throws(() => proto.close.call(receiver), { instanceOf: SyntaxError });
  }
  t.deepEqual(mb.io.sent, []);
  t.deepEqual(mb.io.closed, []);
});

test.serial("UDP: target is stored as an own property, and only when given", (t) => {
  started();
  const target = { tag: 1 };
  const u = new AnyUDP({ port: 1, target });
  t.true(Object.hasOwn(u, "target"));
  t.is(u.target, target);
  const v = new AnyUDP({ port: 2 });
  t.false(Object.hasOwn(v, "target"));
  const w = new AnyUDP({ port: 3, target: undefined });
  t.true(Object.hasOwn(w, "target"), "an explicit undefined target is still an own property");
});

// ================================================================ UDP: receive

test.serial("UDP: read() is undefined when empty, then an ArrayBuffer with address and port (no destination on stock Moddable)", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  t.is(u.read(), undefined);
  const queued = mb.deliver(1234, "hi", PEER, 5000);
  const p = u.read();
  t.true(p instanceof ArrayBuffer);
  t.is(p, queued, "read() returns the queued buffer itself");
  t.is(p?.address, PEER);
  t.is(p?.port, 5000);
  t.false(Object.hasOwn(p as object, "destination"));
  t.is(text(p as ArrayBuffer), "hi");
  t.is(u.read(), undefined);
});

test.serial("UDP: a packet with a destination (simulator extension) carries it on the buffer", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  mb.deliver(1234, "b", PEER, 5000, "192.168.1.255");
  t.is(u.read()?.destination, "192.168.1.255");
});

test.serial("UDP: read() returns packets oldest first and works without onReadable (polling)", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  mb.deliver(1234, "1", PEER, 1);
  mb.deliver(1234, "2", PEER, 2);
  mb.deliver(1234, "3", PEER, 3);
  t.deepEqual(
    [u.read(), u.read(), u.read(), u.read()].map((p) => (p === undefined ? undefined : text(p))),
    ["1", "2", "3", undefined],
  );
});

test.serial("UDP: onReadable runs once per delivery with the queue length and this = the socket", (t) => {
  const mb = started();
  const calls: Array<[unknown, number]> = [];
  const u = new UDP({
    port: 1234,
    onReadable(this: unknown, count: number) {
      calls.push([this, count]);
    },
  });
  mb.enqueue(1234, "a", PEER, 1);
  mb.enqueue(1234, "b", PEER, 1);
  mb.enqueue(1234, "c", PEER, 1);
  t.deepEqual(calls, [], "nothing before the board notifies");
  mb.board.notifyReadable();
  t.is(calls.length, 1);
  t.is(calls[0][0], u);
  t.is(calls[0][1], 3);
  mb.board.notifyReadable();
  t.is(calls.length, 1, "no new packet: no call");
});

test.serial("UDP: unread packets do not re-invoke onReadable; the next delivery's count includes them", (t) => {
  const mb = started();
  const counts: number[] = [];
  const u = new UDP({
    port: 1234,
    onReadable(count: number) {
      counts.push(count);
    },
  });
  mb.deliver(1234, "a", PEER, 1);
  mb.advance(100);
  t.deepEqual(counts, [1]);
  mb.deliver(1234, "b", PEER, 1);
  t.deepEqual(counts, [1, 2]);
  u.read();
  mb.deliver(1234, "c", PEER, 1);
  t.deepEqual(counts, [1, 2, 2]);
});

test.serial("UDP: onReadable can drain the queue with read(), and can close the socket mid-drain", (t) => {
  const mb = started();
  const seen: string[] = [];
  const u = new UDP({
    port: 1234,
    onReadable(this: Udp) {
      let p = this.read();
      while (p !== undefined) {
        seen.push(text(p));
        if (text(p) === "stop") {
          this.close();
          return;
        }
        p = this.read();
      }
    },
  });
  mb.enqueue(1234, "a", PEER, 1);
  mb.enqueue(1234, "stop", PEER, 1);
  mb.enqueue(1234, "never", PEER, 1);
  t.notThrows(() => mb.board.notifyReadable());
  t.deepEqual(seen, ["a", "stop"]);
  t.throws(() => u.read(), { instanceOf: SyntaxError });
});

test.serial("UDP: packets for a socket on another port stay with their socket", (t) => {
  const mb = started();
  const a = new UDP({ port: 1000 });
  const b = new UDP({ port: 2000 });
  mb.deliver(2000, "for b", PEER, 1);
  t.is(a.read(), undefined);
  t.is(text(b.read() as ArrayBuffer), "for b");
});

// ================================================================ UDP: send

test.serial("UDP: write(ArrayBuffer) sends its bytes; write(view) sends only the view's bytes", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  u.write(new Uint8Array([1, 2, 3]).buffer, PEER, 5000);
  const big = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
  u.write(big.subarray(2, 5), PEER, 5001);
  u.write(new DataView(big.buffer, 6, 2), PEER, 5002);
  u.write(new Uint16Array([0x0201]), PEER, 5003);
  t.deepEqual(
    mb.io.sent.map((s) => [Array.from(s.data), s.address, s.port, s.fromPort]),
    [
      [[1, 2, 3], PEER, 5000, 1234],
      [[2, 3, 4], PEER, 5001, 1234],
      [[6, 7], PEER, 5002, 1234],
      [[1, 2], PEER, 5003, 1234],
    ],
  );
});

test.serial("UDP: the bytes are copied at write(); later changes to the buffer do not reach the datagram", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  const data = new Uint8Array([9, 9]);
  u.write(data, PEER, 1);
  data[0] = 0;
  t.deepEqual(Array.from(mb.io.sent[0].data), [9, 9]);
});

test.serial("UDP: write() with a non-buffer is TypeError, a hostname is RangeError('invalid IP address'), Symbols are TypeError", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 }) as unknown as { write(...args: unknown[]): void };
  t.throws(() => u.write("text", PEER, 1), { instanceOf: TypeError, message: "invalid buffer" });
  t.throws(() => u.write([1, 2], PEER, 1), { instanceOf: TypeError });
  t.throws(() => u.write(new Uint8Array(1), "example.com", 1), { instanceOf: RangeError, message: "invalid IP address" });
  t.throws(() => u.write(new Uint8Array(1), "1.2.3.256", 1), { instanceOf: RangeError, message: "invalid IP address" });
  t.throws(() => u.write(new Uint8Array(1), Symbol("a"), 1), { instanceOf: TypeError });
  t.throws(() => u.write(new Uint8Array(1), PEER, Symbol("p")), { instanceOf: TypeError });
  t.throws(() => u.write(PEER, 1, new Uint8Array(1)), { instanceOf: TypeError }, "the old write(address, port, data) order");
  t.deepEqual(mb.io.sent, []);
});

test.serial("UDP: the destination port is not range-checked (cast to 16 bits)", (t) => {
  const mb = started();
  new UDP({ port: 1234 }).write(new Uint8Array(1), PEER, 70000);
  t.is(mb.io.sent[0].port, 70000 & 0xffff);
});

test.serial("UDP: Error('UDP send failed') without a route: interface started but no link, or link but no address", (t) => {
  const mb = started(false);
  const u = new UDP({ port: 1234 });
  const error = t.throws(() => u.write(new Uint8Array(1), PEER, 1));
  t.is(error?.constructor, Error);
  t.is(error?.message, "UDP send failed");
  mb.link("eth0", "link-up");
  t.throws(() => u.write(new Uint8Array(1), PEER, 1), { message: "UDP send failed" });
  mb.link("eth0", "address");
  u.write(new Uint8Array(1), PEER, 1);
  mb.link("eth0", "link-down");
  t.throws(() => u.write(new Uint8Array(1), PEER, 1), { message: "UDP send failed" });
  t.is(mb.io.sent.length, 1);
});

test.serial("UDP (impnet extension): the interface option binds on that interface; its route is that interface's, not any other's", (t) => {
  const mb = started();
  new WiFi({}).connect({ SSID: "lan" });
  const onWifi = new AnyUDP({ port: 1234, interface: "wl0" });
  const anywhere = new AnyUDP({ port: 1235 });
  t.deepEqual(
    mb.io.binds.map((b) => [b.requested, b.iface]),
    [
      [1234, "wl0"],
      [1235, undefined],
    ],
  );
  // eth0 is up with its address; wl0 only started: the wl0 socket has no route, the other one has.
  t.throws(() => onWifi.write(new Uint8Array(1), PEER, 1), { message: "UDP send failed" });
  anywhere.write(new Uint8Array(1), PEER, 1);
  mb.linkUp("wl0");
  onWifi.write(new Uint8Array(1), "10.1.0.5", 1);
  t.is(mb.io.sent.length, 2);
});

test.serial("UDP (impnet extension): an interface the board does not have is RangeError('invalid interface'); nothing is bound", (t) => {
  const mb = started();
  for (const iface of ["eth9", 0, null]) t.throws(() => new AnyUDP({ port: 1234, interface: iface }), { instanceOf: RangeError, message: "invalid interface" });
  t.deepEqual(mb.io.binds, []);
});

test.serial("UDP: a socket survives link down/up and can send again without rebinding (bound to ANY)", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  mb.link("eth0", "link-down");
  mb.linkUp("eth0");
  u.write(new Uint8Array([1]), PEER, 1);
  t.is(mb.io.binds.length, 1);
  t.is(mb.io.sent.length, 1);
});

test.serial("UDP: a datagram the board sends to its own address comes back to the socket on that port", (t) => {
  const mb = started();
  const a = new UDP({ port: 1000 });
  const got: Array<[string, string, number]> = [];
  new UDP({
    port: 2000,
    onReadable(this: Udp) {
      const p = this.read() as ArrayBuffer & { address: string; port: number };
      got.push([text(p), p.address, p.port]);
    },
  });
  a.write(new TextEncoder().encode("loop"), ETH0.address, 2000);
  t.deepEqual(got, [], "delivery is asynchronous");
  mb.advance(1);
  t.deepEqual(got, [["loop", ETH0.address, 1000]]);
});

// ================================================================ UDP: close

test.serial("UDP: close() twice is fine; afterwards read() and write() throw SyntaxError; the emulation closes once", (t) => {
  const mb = started();
  const u = new UDP({ port: 1234 });
  const handle = mb.io.binds[0].handle;
  u.close();
  t.notThrows(() => u.close());
  t.throws(() => u.read(), { instanceOf: SyntaxError });
  t.throws(() => u.write(new Uint8Array(1), PEER, 1), { instanceOf: SyntaxError });
  t.deepEqual(mb.io.closed, [handle]);
  t.false(mb.board.sockets.has(handle));
});

test.serial("UDP: close() drops queued packets and no onReadable follows", (t) => {
  const mb = started();
  let calls = 0;
  const u = new UDP({
    port: 1234,
    onReadable() {
      calls++;
    },
  });
  mb.enqueue(1234, "x", PEER, 1);
  u.close();
  mb.board.notifyReadable();
  t.is(calls, 0);
  t.throws(() => mb.deliver(1234, "y", PEER, 1), { message: /no firmware socket/ });
});

// ================================================================ ECMA-419 Ethernet

type EthernetEvent = [property: string, connection: number, self: unknown];

/** An Ethernet instance recording each onChanged call with the connection it saw. */
function ethernet(): { e: Ethernet; events: EthernetEvent[] } {
  const events: EthernetEvent[] = [];
  const e: Ethernet = new Ethernet({
    onChanged(this: unknown, property) {
      events.push([property, e.connection, this]);
    },
  });
  return { e, events };
}

test.serial("Ethernet: the first instance installs the driver and starts the link; later ones share it", (t) => {
  const mb = new MemoryBoard();
  const { e } = ethernet();
  t.deepEqual(mb.io.started, ["eth0"]);
  t.true(mb.board.iface("eth0")!.started);
  t.is(e.connection, 200);
  t.is(e.address, undefined);
  t.is(e.MAC, ETH0.mac);
  new Ethernet({});
  t.deepEqual(mb.io.started, ["eth0"], "installed once");
});

test.serial("Ethernet: 200 → link-up 400 → address 500 with onChanged('connection') then ('address') → link-down 200; this = instance", (t) => {
  const mb = new MemoryBoard();
  const { e, events } = ethernet();
  mb.link("eth0", "link-up");
  t.is(e.connection, 400);
  mb.link("eth0", "address");
  t.is(e.connection, 500);
  t.is(e.address, ETH0.address);
  mb.link("eth0", "link-down");
  t.is(e.connection, 200);
  t.deepEqual(
    events.map(([property, connection]) => [property, connection]),
    [["connection", 400], ["connection", 500], ["address", 500], ["connection", 200]],
  );
  t.true(events.every((event) => event[2] === e));
});

test.serial("Ethernet: before its IPv4 address, address is the IPv6 link-local one derived from the MAC", (t) => {
  const mb = new MemoryBoard();
  const { e } = ethernet();
  mb.link("eth0", "link-up");
  t.is(e.address, "FE80::FF:FE00:1", "EUI-64 of 02:00:00:00:00:01");
  mb.link("eth0", "address");
  t.is(e.address, ETH0.address);
});

test.serial("Ethernet: no chip at install: no error, connection stays 200, configure() throws 'not initialized', no link starts", (t) => {
  const mb = new MemoryBoard();
  mb.board.iface("eth0")!.failed = true;
  const { e, events } = ethernet();
  t.deepEqual(mb.io.started, []);
  t.false(mb.board.iface("eth0")!.started);
  t.is(e.connection, 200);
  t.is(e.address, undefined);
  t.is(e.MAC, ETH0.mac, "esp_read_mac does not need the chip");
  t.throws(() => e.configure({}), { message: "not initialized" });
  t.throws(() => e.configure({ static: { address: ETH0.address, mask: "255.255.255.0", gateway: "0.0.0.0" } }), { message: "not initialized" });
  mb.link("eth0", "recover");
  mb.linkUp("eth0");
  t.deepEqual(events, [], "nothing reports the failure, and it does not recover");
  e.connect();
  t.is(e.connection, 300, "connect() only sets the connecting flag");
});

test.serial("Ethernet: a second instance after a failed install aborts the device (the SPI bus is already initialised)", (t) => {
  const mb = new MemoryBoard();
  mb.board.iface("eth0")!.failed = true;
  new Ethernet({});
  t.throws(() => new Ethernet({}), { message: /spi_bus_initialize.*aborts/ });
});

test.serial("Ethernet: a chip that fails while running reads as link down; nothing else is reported", (t) => {
  const mb = new MemoryBoard();
  const { e, events } = ethernet();
  mb.linkUp("eth0");
  mb.link("eth0", "unhappy");
  t.is(e.connection, 200);
  mb.link("eth0", "recover");
  mb.linkUp("eth0");
  t.is(e.connection, 500);
  t.deepEqual(
    events.filter(([property]) => property === "connection").map(([, connection]) => connection),
    [400, 500, 200, 400, 500],
  );
});

test.serial("Ethernet: connect() holds connection at 300 while linked without an address; 'already connecting' on a second call", (t) => {
  const mb = new MemoryBoard();
  const { e, events } = ethernet();
  e.connect();
  t.is(e.connection, 300);
  t.throws(() => e.connect(), { message: "already connecting" });
  mb.link("eth0", "link-up");
  t.is(e.connection, 300, "link-up is not visible while connecting");
  t.deepEqual(events.map(([property, connection]) => [property, connection]), [["connection", 300]], "onChanged fires, connection reads 300");
  mb.link("eth0", "address");
  t.is(e.connection, 500);
  mb.link("eth0", "link-down");
  t.is(e.connection, 200, "link loss clears connecting");
});

test.serial("Ethernet: configure({}) is a no-op once installed; a static address is checked and a mismatch noted", (t) => {
  const mb = new MemoryBoard();
  const { e, events } = ethernet();
  t.notThrows(() => e.configure({}));
  t.throws(() => e.configure({ static: { address: "1.2.3", mask: "255.255.255.0", gateway: "0.0.0.0" } }), { instanceOf: RangeError, message: "invalid address" });
  t.throws(() => e.configure({ static: { address: ETH0.address, mask: "x", gateway: "0.0.0.0" } }), { instanceOf: RangeError, message: "invalid mask" });
  e.configure({ static: { address: ETH0.address, mask: "255.255.255.0", gateway: "192.168.1.1" } });
  t.deepEqual(mb.io.notes, []);
  e.configure({ static: { address: "192.168.1.99", mask: "255.255.255.0", gateway: "192.168.1.1" } });
  t.is(mb.io.notes.length, 1, "the simulator notes an address it cannot honour");
  t.deepEqual(events, [], "not linked: nothing to announce");
});

test.serial("Ethernet: with a static address, connect() reports 500 on the next turn even without a link", (t) => {
  const mb = new MemoryBoard();
  const { e, events } = ethernet();
  e.configure({ static: { address: ETH0.address, mask: "255.255.255.0", gateway: "0.0.0.0" } });
  e.connect();
  t.is(e.connection, 200);
  mb.advance(0);
  t.is(e.connection, 500);
  t.deepEqual(events.map(([property]) => property), ["connection", "address"]);
});

test.serial("Ethernet: close() stops onChanged; other interfaces' events are ignored", (t) => {
  const mb = new MemoryBoard();
  const { e, events } = ethernet();
  mb.linkUp("wl0");
  t.deepEqual(events, []);
  mb.link("eth0", "link-up");
  e.close();
  mb.link("eth0", "address");
  t.deepEqual(events.map(([, connection]) => connection), [400]);
});

test.serial("Ethernet: an instance made while the link is up with its address starts at 500", (t) => {
  const mb = new MemoryBoard();
  new Ethernet({});
  mb.linkUp("eth0");
  const { e, events } = ethernet();
  t.is(e.connection, 500);
  t.deepEqual(events, []);
});

// ================================================================ ECMA-419 WiFi

test.serial("WiFi: 200 → connect() 300 without onChanged → 400 → 500 with onChanged('connection') and 'address' → drop 200", (t) => {
  const mb = new MemoryBoard();
  const events: Array<[string, number, unknown]> = [];
  const w = new WiFi({
    onChanged(this: unknown, property) {
      events.push([property, w.connection, this]);
    },
  });
  t.is(w.connection, 200);
  t.is(w.address, undefined);
  w.connect({ SSID: "lan", password: "secret" });
  t.is(w.connection, 300);
  t.deepEqual(events, [], "connect() itself reports nothing");
  t.deepEqual(mb.io.started, ["wl0"]);
  mb.link("wl0", "link-up");
  t.deepEqual(events, [["connection", 400, w]]);
  t.is(w.address, undefined);
  mb.link("wl0", "address");
  t.deepEqual(events.slice(1), [
    ["connection", 500, w],
    ["address", 500, w],
  ]);
  t.is(w.address, WL0.address);
  mb.link("wl0", "link-down");
  t.deepEqual(events.slice(3), [["connection", 200, w]]);
  t.is(w.address, undefined);
});

test.serial("WiFi: connect() while connecting throws 'already connecting'; without SSID 'SSID required'", (t) => {
  new MemoryBoard();
  const w = new WiFi({});
  t.throws(() => w.connect({} as { SSID: string }), { message: "SSID required" });
  w.connect({ SSID: "lan" });
  t.throws(() => w.connect({ SSID: "lan" }), { message: "already connecting" });
});

test.serial("WiFi: connect() throws 'connect failed' when the radio failed or there is no wl0", (t) => {
  let mb = new MemoryBoard();
  mb.board.iface("wl0")!.failed = true;
  t.throws(() => new WiFi({}).connect({ SSID: "lan" }), { message: "connect failed" });
  t.deepEqual(mb.io.started, []);
  mb = new MemoryBoard({ interfaces: [ETH0] });
  t.throws(() => new WiFi({}).connect({ SSID: "lan" }), { message: "connect failed" });
});

test.serial("WiFi: an access point coming up is ignored unless the radio is joining", (t) => {
  const mb = new MemoryBoard();
  const events: string[] = [];
  const w = new WiFi({ onChanged: (p) => events.push(p) });
  mb.linkUp("wl0");
  t.is(w.connection, 200);
  t.deepEqual(events, []);
});

test.serial("WiFi: 'unhappy' drops to 200 and connect() fails until 'recover'; after close() no more onChanged", (t) => {
  const mb = new MemoryBoard();
  const events: number[] = [];
  const w = new WiFi({ onChanged: () => events.push(w.connection) });
  w.connect({ SSID: "lan" });
  mb.linkUp("wl0");
  mb.link("wl0", "unhappy");
  t.deepEqual(events, [400, 500, 500, 200]);
  t.throws(() => w.connect({ SSID: "lan" }), { message: "connect failed" });
  mb.link("wl0", "recover");
  w.connect({ SSID: "lan" });
  t.is(w.connection, 300);
  w.close();
  mb.link("wl0", "link-up");
  t.deepEqual(events, [400, 500, 500, 200]);
});

test.serial("WiFi: MAC comes from the board", (t) => {
  new MemoryBoard();
  t.is(new WiFi({}).MAC, WL0.mac);
});

// ================================================================ net

test.serial("Net.get('IP', mode): the selected interface's address once it has one, else undefined", (t) => {
  const mb = new MemoryBoard();
  t.is(Net.get("IP", "ethernet"), undefined);
  mb.linkUp("eth0");
  t.is(Net.get("IP", "ethernet"), ETH0.address);
  t.is(Net.get("IP", "station"), undefined);
  mb.linkUp("wl0");
  t.is(Net.get("IP", "station"), WL0.address);
  t.is(Net.get("IP", "ap"), WL0.address);
  mb.link("eth0", "link-down");
  t.is(Net.get("IP", "ethernet"), undefined);
});

test.serial("Net.get('IP') without a mode: Wi-Fi once it was started, else Ethernet", (t) => {
  const mb = new MemoryBoard();
  mb.linkUp("eth0");
  t.is(Net.get("IP"), ETH0.address);
  new WiFi({}).connect({ SSID: "lan" });
  t.is(Net.get("IP"), undefined, "Wi-Fi initialised but without an address");
  mb.linkUp("wl0");
  t.is(Net.get("IP"), WL0.address);
});

test.serial("Net.get('MAC'), 'DNS' from config, and undefined for what ESP32 does not support", (t) => {
  new MemoryBoard({ config: { dns: "192.168.1.1,8.8.8.8" } });
  t.is(Net.get("MAC", "ethernet"), ETH0.mac);
  t.is(Net.get("MAC", "station"), WL0.mac);
  t.deepEqual(Net.get("DNS"), ["192.168.1.1", "8.8.8.8"]);
  t.is(Net.get("NETMASK", "ethernet"), undefined);
  t.is(Net.get("GATEWAY", "ethernet"), undefined);
  new MemoryBoard();
  t.deepEqual(Net.get("DNS"), []);
});

test.serial("Net.resolve: a name other than localhost or an address fails on the next turn with callback(name, undefined), this = globalThis", (t) => {
  const mb = new MemoryBoard();
  const calls: Array<[unknown, unknown[]]> = [];
  Net.resolve("pool.ntp.org", function (this: unknown, ...args: unknown[]) {
    calls.push([this, args]);
  });
  t.deepEqual(calls, [], "never synchronously (modResolve.c posts the answer to the VM)");
  mb.flush();
  t.deepEqual(calls, [[globalThis, ["pool.ntp.org", undefined]]]);
  mb.advance(60_000);
  t.is(calls.length, 1, "answered once");
});

test.serial("Net.resolve: localhost and names in lwIP's inet_aton forms answer with the dotted quad", (t) => {
  const mb = new MemoryBoard();
  const answers = new Map<string, unknown>();
  const names = ["localhost", "127.0.0.1", "10.0.0.7 trailing", "0x7f.1", "0177.0.0.01", "10.258", "192.168.257", "3232235777"];
  for (const name of names) Net.resolve(name, (n: string, address?: string) => answers.set(n, address));
  mb.flush();
  t.deepEqual(Object.fromEntries(answers), {
    localhost: "127.0.0.1",
    "127.0.0.1": "127.0.0.1",
    "10.0.0.7 trailing": "10.0.0.7",
    "0x7f.1": "127.0.0.1",
    "0177.0.0.01": "127.0.0.1",
    "10.258": "10.0.1.2",
    "192.168.257": "192.168.1.1",
    "3232235777": "192.168.1.1",
  });
});

test.serial("Net.resolve: what lwIP's inet_aton refuses fails (empty, 256+ characters, parts too large, octal 8, junk, IPv6)", (t) => {
  const mb = new MemoryBoard();
  const answers = new Map<string, unknown>();
  const names = ["", "a".repeat(256), "256.0.0.1", "1.2.3.256", "1.2.65536", "08.1.1.1", "1.2.3.4x", "1.2.3.4.5", "::1", ".1.2.3", "LOCALHOST"];
  for (const name of names) Net.resolve(name, (n: string, address?: string) => answers.set(n, address));
  mb.flush();
  t.is(answers.size, names.length);
  for (const name of names) t.is(answers.get(name), undefined, JSON.stringify(name));
});

test.serial("Net.resolve: the name is converted with ToString (a Symbol throws TypeError at once)", (t) => {
  const mb = new MemoryBoard();
  const answers: unknown[][] = [];
  Net.resolve(2130706433 as unknown as string, (...args: unknown[]) => answers.push(args));
  t.throws(() => Net.resolve(Symbol("host") as unknown as string, () => {}), { instanceOf: TypeError });
  mb.flush();
  t.deepEqual(answers, [["2130706433", "127.0.0.1"]]);
});

// ================================================================ timer, time, config

test.serial("Timer.set(cb) runs on the next turn with the timer as argument and this = globalThis", (t) => {
  const mb = new MemoryBoard();
  const calls: Array<[unknown, unknown]> = [];
  const timer = Timer.set(function (this: unknown, arg: unknown) {
    calls.push([this, arg]);
  });
  t.deepEqual(calls, []);
  mb.flush();
  t.deepEqual(calls, [[globalThis, timer]]);
  mb.advance(1000);
  t.is(calls.length, 1, "a one-shot fires once");
  t.is(mb.board.timerCount(), 0, "and clears itself");
});

test.serial("Timer.set(cb, ms) fires at ms, not before; Timer.set(cb, ms, repeat) then repeats", (t) => {
  const mb = new MemoryBoard();
  const once: number[] = [];
  const repeated: number[] = [];
  Timer.set(() => once.push(Time.ticks), 100);
  Timer.set(() => repeated.push(Time.ticks), 50, 30);
  mb.advance(99);
  t.deepEqual(once, []);
  mb.advance(1);
  t.deepEqual(once, [100]);
  mb.advance(40);
  t.deepEqual(repeated, [50, 80, 110, 140]);
});

test.serial("Timer.repeat(cb, ms) uses ms as first delay and interval", (t) => {
  const mb = new MemoryBoard();
  const ticks: number[] = [];
  const timer = Timer.repeat(() => ticks.push(Time.ticks), 25);
  mb.advance(100);
  t.deepEqual(ticks, [25, 50, 75, 100]);
  Timer.clear(timer);
  mb.advance(100);
  t.is(ticks.length, 4);
});

test.serial("Timer.schedule reschedules; Timer.schedule(t) without an interval unschedules", (t) => {
  const mb = new MemoryBoard();
  const ticks: number[] = [];
  const timer = Timer.set(() => ticks.push(Time.ticks), 1000);
  Timer.schedule(timer, 10, 20);
  mb.advance(50);
  t.deepEqual(ticks, [10, 30, 50]);
  Timer.schedule(timer);
  mb.advance(100);
  t.deepEqual(ticks, [10, 30, 50]);
  t.is(mb.board.timerCount(), 0);
  Timer.schedule(timer, 5);
  mb.advance(100);
  t.deepEqual(ticks, [10, 30, 50, 155], "an unscheduled timer can be scheduled again");
});

test.serial("Timer.clear cancels; undefined and null are accepted", (t) => {
  const mb = new MemoryBoard();
  let fired = 0;
  const timer = Timer.set(() => fired++, 10);
  Timer.clear(timer);
  t.notThrows(() => Timer.clear(undefined));
  t.notThrows(() => Timer.clear(null));
  mb.advance(100);
  t.is(fired, 0);
});

test.serial("Timer: BigInt or Symbol intervals are TypeError; scheduling a non-timer is SyntaxError", (t) => {
  new MemoryBoard();
  const T = Timer as unknown as { set(cb: () => void, ms: unknown): object; schedule(t: object, ms: number): void };
  t.throws(() => T.set(() => {}, 10n), { instanceOf: TypeError });
  t.throws(() => T.set(() => {}, Symbol("x")), { instanceOf: TypeError });
  t.throws(() => T.schedule({}, 10), { instanceOf: SyntaxError });
});

test.serial("Timer: a callback that throws is recorded as a crash and later timers still run", (t) => {
  const mb = new MemoryBoard();
  let ran = false;
  Timer.set(() => {
    throw new Error("boom");
  }, 1);
  Timer.set(() => {
    ran = true;
  }, 2);
  mb.advance(5);
  t.true(ran);
  t.is((mb.crashes[0] as Error).message, "boom");
});

test.serial("Timer pass (modTimersExecute): the timers due when a pass starts run once each; timers they set or re-arm wait for the next pass", (t) => {
  const mb = new MemoryBoard();
  const order: string[] = [];
  let second: object | undefined;
  Timer.set(() => {
    order.push("first");
    Timer.set(() => order.push("set by first"), 0);
    if (second !== undefined) Timer.schedule(second, 0);
  }, 0);
  second = Timer.set(() => order.push("second"), 0);
  Timer.set(() => order.push("third"), 0);
  t.true(mb.board.runTimers(), "a pass that ran callbacks says so");
  t.deepEqual(order, ["first", "third"], "second was re-armed by first: it waits, as a timer set by first does");
  t.true(mb.board.runTimers());
  t.deepEqual(order, ["first", "third", "set by first", "second"]);
  t.false(mb.board.runTimers(), "nothing due: nothing ran");
});

test.serial("Timer pass: a 0 ms timer chain (each callback sets the next) runs one link per pass, so a pass always ends", (t) => {
  const mb = new MemoryBoard();
  let runs = 0;
  const again = (): void => {
    runs++;
    Timer.set(again, 0);
  };
  Timer.set(again, 0);
  mb.board.runTimers();
  t.is(runs, 1);
  mb.board.runTimers();
  t.is(runs, 2);
  t.is(mb.board.timerCount(), 1);
});

test.serial("Time.ticks is the board's millisecond clock", (t) => {
  const mb = new MemoryBoard();
  t.is(Time.ticks, 0);
  mb.advance(1234);
  t.is(Time.ticks, 1234);
});

test.serial("mc/config reads the installed board's config", (t) => {
  new MemoryBoard({ config: { ssid: "lan", impnet_rate_limit: "1" } });
  t.is(config.ssid, "lan");
  t.true("impnet_rate_limit" in config);
  t.false("password" in config);
  t.deepEqual(Object.keys(config), ["ssid", "impnet_rate_limit"]);
  t.deepEqual({ ...config }, { ssid: "lan", impnet_rate_limit: "1" });
  new MemoryBoard({ config: { ssid: "other" } });
  t.is(config.ssid, "other", "follows the board installed now");
});
