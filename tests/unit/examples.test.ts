/**
 * The seed examples (/work/shared/seeds: the impOS `interface.openudp`
 * page's relay and echo server) and main.ts, bundled with esbuild as a host
 * build would bundle them, run against the fake network.
 */
import test from "ava";
import { fakeWorld, type FakeWorld } from "../../modules/impnet/fake/network";
import { bundleApp, loadApp } from "../support/bundle";

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

async function start(entry: string, world: FakeWorld = entry.includes("relay") ? relayWorld() : fakeWorld()): Promise<FakeWorld> {
  await loadApp(entry, world.host);
  run(world);
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

test("relay: opens port 1234 once connected and relays agent 'relay.data' to 192.168.0.1:1234", async (t) => {
  const world = relayWorld();
  await loadApp("examples/relay.ts", world.host);
  t.deepEqual(world.device.boundPorts(), [], "nothing is bound before the interface is connected");
  run(world);
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

test("relay: data before the interface is connected is refused with a server.error line", async (t) => {
  const world = relayWorld();
  await loadApp("examples/relay.ts", world.host);
  world.agent.post("relay.data", "too early");
  world.lan.clock.flush();
  t.deepEqual(world.log.errors, ["UDP socket on port 1234 is not open for sending"]);
  t.is(world.device.sent.length, 0);
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
  t.deepEqual(world.log.errors, ["Ethernet error - closing UDP", "UDP socket on port 1234 is not open for sending"]);
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
  await loadApp("main.ts", world.host);
  run(world);
  t.is(world.log.errors.length, 1);
  t.regex(world.log.errors[0], /^interface state callback threw: Error: openudp: localPort 1234 is already in use/);
  t.deepEqual(world.device.boundPorts(), []);
});
