/**
 * The examples (examples/relay.ts, echo.ts: the impOS `interface.openudp`
 * page's relay and echo server) and main.ts, bundled with esbuild as a host
 * build would bundle them, started the way every host starts an app
 * (impnet/boot: once the primary interface is CONNECTED, or at once when
 * asked), and run against the fake network.
 */
import test from "ava";
import { fakeWorld, type FakeWorld } from "../support/fake/network";
import { bootApp, bundleApp } from "../support/bundle";

const DEVICE = "192.168.1.10";
/** The relay's LAN: the seed sends to 192.168.0.1, so the device sits on 192.168.0.0/24 (impOS reaches only its own subnet). */
const RELAY_DEVICE = "192.168.0.10";

function relayWorld(): FakeWorld {
  return fakeWorld([{ name: "eth0", kind: "ethernet", address: RELAY_DEVICE, macaddress: "02:00:00:00:00:01" }]);
}

/** Lets the fake LAN run for `ms` virtual milliseconds (bring-up takes 30 ms). */
function run(world: FakeWorld, ms = 100): void {
  world.lan.clock.advance(ms);
}

/** Starts `entry` as a host does: eth0 comes up, then the app runs; its own open() is answered on the next turn. */
async function start(entry: string, world: FakeWorld = entry.includes("relay") ? relayWorld() : fakeWorld()): Promise<FakeWorld> {
  const app = await bootApp(entry, world.host);
  run(world);
  await app.started;
  world.lan.clock.flush();
  return world;
}

// ---------------------------------------------------------------- bundling

for (const entry of ["examples/relay.ts", "examples/echo.ts", "main.ts"]) {
  test(`${entry} bundles with esbuild into one ESM module that imports only port.ts`, async (t) => {
    const text = await bundleApp(entry);
    const imports = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    t.true(imports.length > 0);
    for (const specifier of imports) t.regex(specifier, /modules\/impnet\/port\.ts$/);
    t.false(text.includes("fake/network"), "no test code in the app bundle");
  });
}

test("each load of an app is a fresh device on its own fake world", async (t) => {
  const a = await start("examples/echo.ts");
  const b = await start("examples/echo.ts");
  t.deepEqual(a.device.boundPorts(), [1234]);
  t.deepEqual(b.device.boundPorts(), [1234]);
  a.device.link("eth0").set("no-link");
  t.deepEqual(a.device.boundPorts(), []);
  t.deepEqual(b.device.boundPorts(), [1234]);
});

// ---------------------------------------------------------------- relay

test("relay: started once eth0 is CONNECTED, opens port 1234 and relays agent 'relay.data' to 192.168.0.1:1234", async (t) => {
  const world = relayWorld();
  const app = await bootApp("examples/relay.ts", world.host);
  let started = false;
  void app.started.then(() => (started = true));
  world.lan.clock.advance(29);
  await Promise.resolve();
  t.false(started, "the app does not run before eth0 is CONNECTED (30 ms)");
  run(world);
  await app.started;
  world.lan.clock.flush();
  t.deepEqual(world.device.boundPorts(), [1234]);
  const peer = world.lan.peer("192.168.0.1", 1234);
  world.agent.post("relay.data", "hello LAN");
  world.agent.post("relay.data", "second");
  run(world, 10);
  t.deepEqual(peer.texts(), ["hello LAN", "second"]);
  t.is(peer.received[0].from, RELAY_DEVICE);
  t.is(peer.received[0].fromPort, 1234);
  t.deepEqual(world.log.errors, []);
});

test("relay started at once (offline start): data before the socket exists fails as in Squirrel (isopen() on null)", async (t) => {
  const world = relayWorld();
  const app = await bootApp("examples/relay.ts", world.host, { atOnce: true });
  await app.started;
  world.agent.post("relay.data", "too early");
  world.lan.clock.flush();
  t.is(world.log.errors.length, 1);
  t.regex(world.log.errors[0], /^agent\.on\("relay\.data"\) handler threw: TypeError: /);
  t.is(world.device.sent.length, 0);
  run(world);
  t.deepEqual(world.device.boundPorts(), [1234], "the app opened eth0 itself and got its socket at CONNECTED");
});

test("relay: 'relay.target' redirects the data and logs the new target", async (t) => {
  const world = await start("examples/relay.ts");
  const pc = world.lan.peer("192.168.0.50", 6000);
  const fixed = world.lan.peer("192.168.0.1", 1234);
  world.agent.post("relay.target", { address: "192.168.0.50", port: 6000 });
  world.agent.post("relay.data", "to the PC");
  run(world, 10);
  t.deepEqual(world.log.lines, ["relay: sending to 192.168.0.50:6000"]);
  t.deepEqual(pc.texts(), ["to the PC"]);
  t.deepEqual(fixed.texts(), []);
});

test("relay: a malformed 'relay.target' is refused and the target is unchanged", async (t) => {
  const world = await start("examples/relay.ts");
  const fixed = world.lan.peer("192.168.0.1", 1234);
  world.agent.post("relay.target", { address: "192.168.1.50" });
  world.agent.post("relay.target", "192.168.1.50:6000");
  world.agent.post("relay.data", "still default");
  run(world, 10);
  t.deepEqual(world.log.errors, [
    'relay.target needs {"address": "a.b.c.d", "port": n}',
    'relay.target needs {"address": "a.b.c.d", "port": n}',
  ]);
  t.deepEqual(fixed.texts(), ["still default"]);
});

test("relay: a failed send is reported with its code", async (t) => {
  const world = await start("examples/relay.ts");
  world.device.failNextSends.push("failed");
  world.agent.post("relay.data", "x");
  world.lan.clock.flush();
  t.deepEqual(world.log.errors, ["Could not send the data (code: 2)"]);
});

test("relay: an invalid target address surfaces as the app's unhandled error, reported by server.error", async (t) => {
  const world = await start("examples/relay.ts");
  world.agent.post("relay.target", { address: "8.8.8.8", port: 53 });
  world.agent.post("relay.data", "x");
  run(world, 10);
  t.is(world.log.errors.length, 1);
  t.regex(world.log.errors[0], /^agent\.on\("relay\.data"\) handler threw: RangeError: send: address 8\.8\.8\.8 is not a private/);
  t.is(world.device.sent.length, 0);
});

test("relay: the link going to ETHERNET_STOPPED_NO_LINK closes the socket with the server.error line; CONNECTED reopens it", async (t) => {
  const world = await start("examples/relay.ts");
  const peer = world.lan.peer("192.168.0.1", 1234);
  world.device.link("eth0").set("no-link");
  t.deepEqual(world.log.errors, ["Ethernet error - closing UDP"]);
  t.deepEqual(world.device.boundPorts(), []);
  world.agent.post("relay.data", "while down");
  world.lan.clock.flush();
  // As in the Squirrel original, the handler calls isopen() on the null socket: a runtime error, reported.
  t.is(world.log.errors.length, 2);
  t.regex(world.log.errors[1], /^agent\.on\("relay\.data"\) handler threw: TypeError: /);
  world.device.link("eth0").reconnect();
  run(world);
  t.deepEqual(world.device.boundPorts(), [1234]);
  world.agent.post("relay.data", "back up");
  run(world, 10);
  t.deepEqual(peer.texts(), ["back up"]);
});

for (const [phase, title] of [
  ["stopped", "ETHERNET_STOPPED"],
  ["unhappy", "ETHERNET_STOPPED_UNHAPPY"],
] as const) {
  test(`relay: ${title} also closes the socket`, async (t) => {
    const world = await start("examples/relay.ts");
    world.device.link("eth0").set(phase);
    t.deepEqual(world.log.errors, ["Ethernet error - closing UDP"]);
    t.deepEqual(world.device.boundPorts(), []);
  });
}

// ---------------------------------------------------------------- echo

test("echo: answers a unicast datagram from port 1234 and logs 'Received N bytes'", async (t) => {
  const world = await start("examples/echo.ts");
  t.deepEqual(world.device.boundPorts(), [1234]);
  const pc = world.lan.peer("192.168.1.50", 5000);
  pc.send(DEVICE, 1234, "ping!");
  run(world, 10);
  t.deepEqual(pc.texts(), ["ping!"]);
  t.is(pc.received[0].from, DEVICE);
  t.is(pc.received[0].fromPort, 1234);
  // the seed's Squirrel string has no space before "bytes"; the port keeps it
  t.deepEqual(world.log.lines, ["Received 5bytes from 192.168.1.50:5000"]);
  t.deepEqual(world.log.errors, []);
});

test("echo: answers a datagram to the subnet broadcast address, by unicast to the sender", async (t) => {
  const world = await start("examples/echo.ts");
  const pc = world.lan.peer("192.168.1.50", 5000);
  const bystander = world.lan.peer("192.168.1.60", 5000);
  pc.send("192.168.1.255", 1234, "anyone?");
  run(world, 10);
  t.deepEqual(pc.texts(), ["anyone?"]);
  t.is(pc.received[0].to, "192.168.1.50");
  t.deepEqual(bystander.texts(), [], "the reply is not broadcast");
  t.deepEqual(world.log.lines, ["Received 7bytes from 192.168.1.50:5000"]);
});

test("echo: ignores datagrams for other destinations (limited broadcast 255.255.255.255)", async (t) => {
  const world = await start("examples/echo.ts");
  const pc = world.lan.peer("192.168.1.50", 5000);
  pc.send("255.255.255.255", 1234, "not for you");
  run(world, 10);
  t.deepEqual(pc.texts(), []);
  t.deepEqual(world.log.lines, []);
  t.is(world.device.sent.length, 0);
});

test("echo: echoes binary payloads byte for byte, and an empty datagram", async (t) => {
  const world = await start("examples/echo.ts");
  const pc = world.lan.peer("192.168.1.2", 5000);
  const bytes = new Uint8Array(1400).map((_, i) => (i * 7) & 255);
  pc.send(DEVICE, 1234, bytes);
  pc.send(DEVICE, 1234, new Uint8Array(0));
  run(world, 10);
  t.is(pc.received.length, 2);
  t.deepEqual(pc.received[0].data, bytes);
  t.is(pc.received[1].data.length, 0);
  t.deepEqual(world.log.lines, ["Received 1400bytes from 192.168.1.2:5000", "Received 0bytes from 192.168.1.2:5000"]);
});

test("echo: closes on ETHERNET_STOPPED_NO_LINK and answers again after CONNECTED", async (t) => {
  const world = await start("examples/echo.ts");
  const pc = world.lan.peer("192.168.1.50", 5000);
  world.device.link("eth0").set("no-link");
  t.deepEqual(world.log.errors, ["Ethernet error - closing UDP"]);
  t.deepEqual(world.device.boundPorts(), []);
  world.device.link("eth0").reconnect();
  run(world);
  t.deepEqual(world.device.boundPorts(), [1234]);
  pc.send(DEVICE, 1234, "again");
  run(world, 10);
  t.deepEqual(pc.texts(), ["again"]);
});

test("echo: a failed echo is reported with its code", async (t) => {
  const world = await start("examples/echo.ts");
  world.device.failNextSends.push("failed");
  world.lan.peer("192.168.1.50", 5000).send(DEVICE, 1234, "x");
  run(world, 10);
  t.deepEqual(world.log.errors, ["Could not send the data (code: 2)"]);
});

// ---------------------------------------------------------------- main.ts

test("main: logs where it listens, echoes unicast and broadcast, ignores other destinations, no per-packet log", async (t) => {
  const world = await start("main.ts");
  t.deepEqual(world.log.lines, ["echo: listening on 192.168.1.10:1234 (broadcast 192.168.1.255)"]);
  const pc = world.lan.peer("192.168.1.50", 5000);
  pc.send(DEVICE, 1234, "u");
  pc.send("192.168.1.255", 1234, "b");
  pc.send("255.255.255.255", 1234, "x");
  run(world, 10);
  t.deepEqual(pc.texts(), ["u", "b"]);
  t.is(world.log.lines.length, 1);
  t.deepEqual(world.log.errors, []);
});

test("main: closes on link loss with the state in the message and reopens on CONNECTED", async (t) => {
  const world = await start("main.ts");
  world.device.link("eth0").set("no-link");
  t.deepEqual(world.log.errors, ["echo: Ethernet stopped (state 204) - closing UDP"]);
  t.deepEqual(world.device.boundPorts(), []);
  world.device.link("eth0").reconnect();
  run(world);
  t.deepEqual(world.device.boundPorts(), [1234]);
  t.is(world.log.lines.length, 2, "listening line logged again");
  const pc = world.lan.peer("192.168.1.50", 5000);
  pc.send(DEVICE, 1234, "again");
  run(world, 10);
  t.deepEqual(pc.texts(), ["again"]);
});

test("main: a failed echo names the peer and the code", async (t) => {
  const world = await start("main.ts");
  world.device.failNextSends.push("failed");
  world.lan.peer("192.168.1.50", 5000).send(DEVICE, 1234, "x");
  run(world, 10);
  t.deepEqual(world.log.errors, ["echo: could not send to 192.168.1.50:5000 (code: 2)"]);
});

test("main: with port 1234 taken by another service, the open failure is reported through server.error", async (t) => {
  const world = fakeWorld();
  world.device.occupied.add(1234);
  await start("main.ts", world);
  t.is(world.log.errors.length, 1);
  t.regex(world.log.errors[0], /^interface state callback threw: Error: openudp: localPort 1234 is already in use/);
  t.deepEqual(world.device.boundPorts(), []);
});

// ---------------------------------------------------------------- starting like impOS

test("echo: the seed's top-level imp.net.info().ipv4 holds the device's addresses (the app starts online)", async (t) => {
  const world = await start("examples/echo.ts");
  const pc = world.lan.peer("192.168.1.50", 5000);
  pc.send(DEVICE, 1234, "u");
  pc.send("192.168.1.255", 1234, "b");
  run(world, 10);
  t.deepEqual(pc.texts(), ["u", "b"], "ucastIP and bcastIP were read at top level");
  t.deepEqual(world.log.errors, []);
});

test("echo started at once (offline start): the seed's top-level imp.net.info().ipv4 is absent and the app fails", async (t) => {
  const world = fakeWorld();
  const app = await bootApp("examples/echo.ts", world.host, { atOnce: true });
  const error = await t.throwsAsync(app.started);
  t.true(error instanceof TypeError, String(error));
});

test("the app waits for the primary interface named by the host (wl0), and only for it", async (t) => {
  const world = fakeWorld([
    { name: "eth0", kind: "ethernet", address: "192.168.1.10", bringUp: ["link-up", "addressing", "connected"], stepMs: 10 },
    { name: "wl0", kind: "wifi", address: "192.168.1.11", stepMs: 100 },
  ]);
  const app = await bootApp("main.ts", world.host, { primary: "wl0" });
  let started = false;
  void app.started.then(() => (started = true));
  run(world, 400);
  await Promise.resolve();
  t.false(started, "wl0 connects at 500 ms");
  run(world, 200);
  await app.started;
  t.is(world.device.link("eth0").phases.length, 0, "eth0 was not opened for the app's start");
  world.lan.clock.flush();
  t.deepEqual(world.log.lines, [], "main.ts opens eth0 itself, which comes up after the app started");
  run(world);
  t.deepEqual(world.log.lines, ["echo: listening on 192.168.1.10:1234 (broadcast 192.168.1.255)"]);
});

test("while the primary interface is stopped the app does not start, and the log says why", async (t) => {
  const world = fakeWorld([{ name: "eth0", kind: "ethernet", bringUp: ["unhappy"] }]);
  const app = await bootApp("main.ts", world.host);
  let started = false;
  void app.started.then(() => (started = true));
  run(world, 1000);
  await Promise.resolve();
  t.false(started);
  t.deepEqual(world.log.errors, ["impnet: eth0 is not connected (state 203); the app starts once it is"]);
  const link = world.device.link("eth0");
  link.options.bringUp = ["link-up", "addressing", "connected"];
  link.reconnect();
  run(world);
  await app.started;
  world.lan.clock.flush();
  t.deepEqual(world.log.lines, ["echo: listening on 192.168.1.10:1234 (broadcast 192.168.1.255)"]);
  t.is(world.log.errors.length, 1, "nothing more is logged once the app runs");
});

test("a primary interface the host does not have fails the start with imp.net.open's error", async (t) => {
  const world = fakeWorld();
  const app = await bootApp("main.ts", world.host, { primary: "eth9" });
  await t.throwsAsync(app.started, { message: /^imp\.net\.open: interface "eth9" is not available on this device \(it has: eth0, wl0\)$/ });
});
