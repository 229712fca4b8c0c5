/**
 * docs/impos-api.md §3.3: interface.openudp(callback, localPort): every
 * throw, binding at once or on the first send, and no delivery before binding.
 */
import test from "ava";
import { UdpSocket } from "../../modules/impnet/core/udpsocket";
import { HostError, type Host, type HostFailure, type Link } from "../../modules/impnet/port";
import { createRuntime } from "../../modules/impnet/core/runtime";
import { fakeWorld } from "../support/fake/network";
import { EPHEMERAL_FIRST, EPHEMERAL_LAST } from "../../modules/impnet/core/constants";
import { NetState, connectedDevice, deliver, newDevice, openDevice, portOf, recorder, waitConnected, withRandom, type OpenDevice } from "../support/device";

const withCell = {
  interfaces: [
    { name: "eth0", kind: "ethernet" as const },
    { name: "cell0", kind: "cell" as const },
  ],
};

/** Asserts no port was taken and no socket registered since `before`. */
function unchanged(t: import("ava").ExecutionContext, device: OpenDevice, before: number[]): void {
  t.deepEqual(device.world.device.boundPorts(), before);
  t.is(device.runtime.ports.size, before.length);
}

// ---------------------------------------------------------------- interface kind and power

test("openudp throws on a cellular interface, even when it is connected", (t) => {
  const { imp, world } = newDevice(withCell);
  const cell = imp.net.open({ interface: "cell0" });
  waitConnected(world, cell);
  for (const args of [[], [null, 1234], [() => {}]] as const) {
    const error = t.throws(() => cell.openudp(...(args as [])), {
      message: /^openudp: UDP is not available on cellular interface cell0$/,
    });
    t.is(error?.constructor, Error);
  }
  t.deepEqual(world.device.boundPorts(), []);
});

for (const phase of ["stopped", "unhappy"] as const) {
  test(`openudp throws while the interface is unpowered/unavailable (link ${phase}) and works again after it comes back`, (t) => {
    const device = connectedDevice();
    const { world, iface } = device;
    world.device.link("eth0").set(phase);
    const expected = phase === "stopped" ? NetState.ETHERNET_STOPPED : NetState.ETHERNET_STOPPED_UNHAPPY;
    t.is(iface.getstate(), expected);
    for (const args of [[], [null, 1234]] as const) {
      t.throws(() => iface.openudp(...(args as [])), {
        instanceOf: Error,
        message: new RegExp(`^openudp: interface eth0 is not powered or is unavailable \\(state ${expected}\\)$`),
      });
    }
    unchanged(t, device, []);
    world.device.link("eth0").reconnect();
    waitConnected(world, iface);
    t.true(iface.openudp(null, 1234).isopen());
    t.deepEqual(world.device.boundPorts(), [1234]);
  });
}

test("openudp on a stopped WiFi interface throws too", (t) => {
  const { world, iface } = connectedDevice({ interface: "wl0" });
  world.device.link("wl0").set("stopped");
  t.is(iface.getstate(), NetState.WIFI_STOPPED);
  t.throws(() => iface.openudp(), { message: /^openudp: interface wl0 is not powered or is unavailable \(state 105\)$/ });
});

test("openudp is allowed while the interface is still coming up (STARTING) and after the cable is pulled (no-link)", (t) => {
  const device = openDevice();
  const early = device.iface.openudp(null, 2000);
  t.is(device.iface.getstate(), NetState.STARTING);
  t.true(early.isopen());
  waitConnected(device.world, device.iface);
  device.world.device.link("eth0").set("no-link");
  const late = device.iface.openudp(null, 2001);
  t.true(late.isopen());
  t.deepEqual(device.world.device.boundPorts(), [2000, 2001]);
});

// ---------------------------------------------------------------- callback argument

test("openudp accepts no arguments, a null callback, or a function", (t) => {
  const { iface } = connectedDevice();
  t.true(iface.openudp() instanceof UdpSocket);
  t.true(iface.openudp(null) instanceof UdpSocket);
  t.true(iface.openudp(null, 1234) instanceof UdpSocket);
  t.true(iface.openudp(undefined, 1235) instanceof UdpSocket);
  t.true(iface.openudp(() => {}, 1236) instanceof UdpSocket);
});

test("openudp rejects a callback that is not a function, without taking the port", (t) => {
  const device = connectedDevice();
  for (const callback of ["cb", 1, {}, true]) {
    t.throws(() => device.iface.openudp(callback as never, 1234), {
      instanceOf: TypeError,
      message: /^openudp: callback must be a function or null, not /,
    });
  }
  unchanged(t, device, []);
  t.true(device.iface.openudp(null, 1234).isopen(), "the port is still free");
});

// ---------------------------------------------------------------- localPort checks

const notIntegers: [string, unknown, RegExp][] = [
  ["1.5", 1.5, /^openudp: localPort 1\.5 is not an integer$/],
  ['"1234"', "1234", /^openudp: localPort "1234" is not an integer$/],
  ["NaN", NaN, /^openudp: localPort NaN is not an integer$/],
  ["null", null, /^openudp: localPort null is not an integer$/],
  ["Infinity", Infinity, /^openudp: localPort Infinity is not an integer$/],
  ["true", true, /^openudp: localPort true is not an integer$/],
  ["an object", { port: 1234 }, /^openudp: localPort an object is not an integer$/],
  ["1234.0001", 1234.0001, /^openudp: localPort 1234\.0001 is not an integer$/],
];

for (const [title, value, message] of notIntegers) {
  test(`openudp rejects localPort ${title} with a TypeError and changes nothing`, (t) => {
    const device = connectedDevice();
    t.throws(() => device.iface.openudp(() => {}, value as never), { instanceOf: TypeError, message });
    unchanged(t, device, []);
  });
}

for (const port of [-1, 0, 1, 80, 1023]) {
  test(`openudp rejects localPort ${port} (below 1024) with a RangeError`, (t) => {
    const device = connectedDevice();
    t.throws(() => device.iface.openudp(null, port), { instanceOf: RangeError, message: new RegExp(`^openudp: localPort ${port} is below 1024$`) });
    unchanged(t, device, []);
  });
}

for (const port of [65536, 70000, 2 ** 31]) {
  test(`openudp rejects localPort ${port} (above 65535) with a RangeError`, (t) => {
    const device = connectedDevice();
    t.throws(() => device.iface.openudp(null, port), { instanceOf: RangeError, message: new RegExp(`^openudp: localPort ${port} is above 65535$`) });
    unchanged(t, device, []);
  });
}

test("openudp binds the boundary ports 1024 and 65535 at once", (t) => {
  const { iface, world } = connectedDevice();
  const low = iface.openudp(null, 1024);
  const high = iface.openudp(null, 65535);
  t.is(portOf(low), 1024);
  t.is(portOf(high), 65535);
  t.deepEqual(world.device.boundPorts(), [1024, 65535]);
});

test("openudp throws when localPort is already used by another impnet socket; the first keeps it", (t) => {
  const device = connectedDevice();
  const { iface, world } = device;
  const { calls, callback } = recorder();
  const first = iface.openudp(callback, 1234);
  const error = t.throws(() => iface.openudp(() => {}, 1234), { message: /^openudp: localPort 1234 is already in use$/ });
  t.is(error?.constructor, Error);
  unchanged(t, device, [1234]);
  world.lan.peer("192.168.1.50", 5000).send("192.168.1.10", 1234, "to the first");
  deliver(world);
  t.deepEqual(calls.map((c) => c.text), ["to the first"]);
  t.true(first.isopen());
});

test("local ports are device-wide: a port used on eth0 cannot be opened on wl0", (t) => {
  const { imp, iface, world } = connectedDevice();
  const wifi = imp.net.open({ interface: "wl0" });
  waitConnected(world, wifi);
  iface.openudp(null, 4000);
  t.throws(() => wifi.openudp(null, 4000), { message: /^openudp: localPort 4000 is already in use$/ });
  t.deepEqual(world.device.boundPorts(), [4000]);
});

test("openudp throws when localPort is taken by something other than impnet", (t) => {
  const device = connectedDevice();
  device.world.device.occupied.add(5353);
  const error = t.throws(() => device.iface.openudp(() => {}, 5353), { message: /^openudp: localPort 5353 is already in use$/ });
  t.is(error?.constructor, Error);
  unchanged(t, device, []);
  device.world.device.occupied.delete(5353);
  t.true(device.iface.openudp(null, 5353).isopen());
});

// ---------------------------------------------------------------- binding

test("without localPort the socket stays unbound until its first send, then holds a port in 49152-65535", (t) => {
  const { iface, world } = connectedDevice();
  const socket = iface.openudp();
  t.deepEqual(world.device.boundPorts(), []);
  t.is(portOf(socket), 0);
  t.true(socket.isopen(), "an unbound socket is open");
  const peer = world.lan.peer("192.168.1.50", 5000);
  t.is(socket.send(peer.address, peer.port, "first"), 0);
  const port = portOf(socket);
  t.true(port >= EPHEMERAL_FIRST && port <= EPHEMERAL_LAST, `port ${port}`);
  t.is(EPHEMERAL_FIRST, 49152);
  t.is(EPHEMERAL_LAST, 65535);
  t.deepEqual(world.device.boundPorts(), [port]);
  t.is(socket.send(peer.address, peer.port, "second"), 0);
  t.is(portOf(socket), port, "the port is kept for later sends");
  deliver(world);
  t.deepEqual(peer.received.map((d) => d.fromPort), [port, port]);
});

test("ephemeral ports of many sockets are distinct and in range", (t) => {
  const { iface, world } = connectedDevice();
  const peer = world.lan.peer("192.168.1.50", 5000);
  const ports = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const socket = iface.openudp();
    t.is(socket.send(peer.address, peer.port, "x"), 0);
    const port = portOf(socket);
    t.true(port >= 49152 && port <= 65535);
    ports.add(port);
  }
  t.is(ports.size, 200);
  t.is(world.device.boundPorts().length, 200);
});

test("nothing is delivered before the socket is bound; after the first send it receives", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  const peer = world.lan.peer("192.168.1.50", 5000);
  withRandom([0], () => {
    const socket = iface.openudp(callback);
    peer.send("192.168.1.10", 49152, "too early");
    deliver(world);
    t.deepEqual(calls, []);
    t.is(socket.send(peer.address, peer.port, "hello"), 0);
    t.is(portOf(socket), 49152);
  });
  peer.send("192.168.1.10", 49152, "reply");
  deliver(world);
  t.deepEqual(calls.map((c) => [c.text, c.toPort]), [["reply", 49152]]);
});

test("ephemeral binding skips ports held by impnet sockets and by others", (t) => {
  const { iface, world } = connectedDevice();
  iface.openudp(null, 49152); // impnet holds 49152
  world.device.occupied.add(57344); // someone else holds 57344
  const peer = world.lan.peer("192.168.1.50", 5000);
  // candidates: 49152 (impnet), 57344 (other), 61440 (free)
  withRandom([0, 0.5, 0.75], () => {
    const socket = iface.openudp();
    t.is(socket.send(peer.address, peer.port, "x"), 0);
    t.is(portOf(socket), 61440);
  });
  t.deepEqual(world.device.boundPorts(), [49152, 61440]);
});

test("send throws when no free ephemeral port is found, and the socket stays unbound", (t) => {
  const { iface, world } = connectedDevice();
  world.device.occupied.add(49152);
  const peer = world.lan.peer("192.168.1.50", 5000);
  withRandom([0], () => {
    const socket = iface.openudp();
    t.throws(() => socket.send(peer.address, peer.port, "x"), { message: /^send: no free ephemeral port in 49152-65535 after 64 attempts$/ });
    t.is(portOf(socket), 0);
    t.true(socket.isopen());
  });
  t.deepEqual(world.device.boundPorts(), []);
  t.deepEqual(world.device.sent, []);
});

test("a socket opened with localPort receives at once, before it ever sends", (t) => {
  const { iface, world } = connectedDevice();
  const { calls, callback } = recorder();
  iface.openudp(callback, 20001);
  world.lan.peer("192.168.1.50", 5000).send("192.168.1.10", 20001, "hi");
  deliver(world);
  t.is(calls.length, 1);
});

test("every rejected openudp leaves all state as it was (mixed sequence)", (t) => {
  const device = connectedDevice();
  const { iface, world } = device;
  iface.openudp(null, 3000);
  world.device.occupied.add(3001);
  const rejected: [unknown, unknown][] = [
    ["cb", 3002],
    [null, 3000],
    [null, 3001],
    [null, 1023],
    [null, 65536],
    [null, "3002"],
    [null, 3002.5],
    [null, null],
  ];
  for (const [callback, port] of rejected) {
    t.throws(() => iface.openudp(callback as never, port as never), { message: /^openudp: / });
    unchanged(t, device, [3000]);
  }
  t.true(iface.openudp(null, 3002).isopen());
});

// ---------------------------------------------------------------- host bind failures other than "in use"

/** A fake world whose links refuse to bind with `reason`. */
function refusingDevice(reason: HostFailure) {
  const world = fakeWorld();
  const device = world.device;
  const host: Host = {
    ...world.host,
    platform: {
      interfaces: () => device.interfaces(),
      now: () => device.now(),
      defer: (task) => device.defer(task),
      schedule: (task, delayMs) => device.schedule(task, delayMs),
      cancel: (handle) => device.cancel(handle),
      openLink(config, listener): Link {
        const link = device.openLink(config, listener);
        return {
          addresses: () => link.addresses(),
          close: () => link.close(),
          openEndpoint() {
            throw new HostError(reason, `refused (${reason})`);
          },
        };
      },
    },
  };
  const runtime = createRuntime(host);
  const iface = runtime.imp.net.open({ interface: "eth0" });
  waitConnected(world, iface);
  return { world, runtime, iface };
}

test("a host bind refusal 'no-network' becomes an openudp/send error naming the interface", (t) => {
  const { iface, runtime } = refusingDevice("no-network");
  t.throws(() => iface.openudp(null, 1234), { instanceOf: Error, message: /^openudp: interface eth0 has no network yet$/ });
  const socket = iface.openudp();
  t.throws(() => socket.send("192.168.1.50", 5000, "x"), { message: /^send: interface eth0 has no network yet$/ });
  t.is(portOf(socket), 0);
  t.is(runtime.ports.size, 0);
});

test("a host bind failure 'failed' becomes an error that carries the host's detail", (t) => {
  const { iface, runtime } = refusingDevice("failed");
  t.throws(() => iface.openudp(null, 1234), { message: /^openudp: interface eth0 could not bind a port: refused \(failed\)$/ });
  t.is(runtime.ports.size, 0);
});
