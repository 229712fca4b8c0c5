/**
 * impnet inside XS through the simulator, with real UDP on loopback:
 * open/openudp/send/receive/close, bind conflicts, ephemeral ports, link
 * faults, callback exceptions, the agent channel.
 */
import test from "ava";
import { runApp, UdpClient, freePort, uniqueLoopback } from "../support/sim";
import { until } from "../support/wait";

const APP = "tests/sim/apps/lifecycle.ts";

test("eth0 comes up through the impOS Ethernet sequence and the socket echoes", async (t) => {
  const port = await freePort();
  // Started at once, so the app sees the whole bring-up.
  const run = await runApp(APP, { config: { port: String(port) }, startAtOnce: true });
  try {
    await run.waitFor(new RegExp(`^open ${port}$`));
    t.deepEqual(
      run.logs.filter((l) => l.startsWith("state ")),
      ["state 0", "state 200", "state 201", "state 1"],
    );
    const client = await UdpClient.open();
    await client.send("hello", port);
    await client.waitReplies(1);
    t.is(client.replies[0].data.toString(), "hello");
    t.is(client.replies[0].port, port);
    // The simulator knows the destination: a unicast to 127.0.0.1 reports toAddress 127.0.0.1.
    t.true(run.logs.includes(`rx 127.0.0.1:${client.port} -> 127.0.0.1:${port} 5 hello`));
    client.close();
  } finally {
    await run.sim.stop();
  }
});

test("a zero-length datagram reaches the receive callback and is echoed as a zero-length datagram", async (t) => {
  // impnet passes 0-byte datagrams both ways (docs/compatibility.md §2); Moddable's lin UDP drops them on receive (§3).
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  const client = await UdpClient.open();
  try {
    await run.waitFor(new RegExp(`^open ${port}$`));
    await client.send(Buffer.alloc(0), port);
    await client.waitReplies(1);
    t.is(client.replies[0].data.byteLength, 0);
    t.true(run.logs.includes(`rx 127.0.0.1:${client.port} -> 127.0.0.1:${port} 0 `), "the callback saw len() 0");
  } finally {
    client.close();
    await run.sim.stop();
  }
});

test("getiptable and imp.net.info report the simulated interface", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  try {
    await run.waitFor(/^open /);
    run.sim.agent("iptable", null);
    const table = JSON.parse((await run.waitFor(/^iptable /)).slice(8));
    t.is(table.ipv4.address, "127.0.0.1");
    t.is(table.ipv4.netmask, "255.0.0.0");
    t.is(table.ipv4.broadcast, "127.255.255.255");
    run.sim.agent("info", null);
    const info = JSON.parse((await run.waitFor(/^info /)).slice(5));
    t.is(info.active, 0);
    t.is(info.interface[0].type, "ethernet");
    t.is(info.ipv4.address, "127.0.0.1");
  } finally {
    await run.sim.stop();
  }
});

test("openudp on a port another real socket holds throws the impOS error", async (t) => {
  const holder = await UdpClient.open("127.0.0.1");
  const run = await runApp(APP, { config: { port: String(holder.port) } });
  try {
    const line = await run.waitFor(/openudp failed/);
    t.is(line, `openudp failed: openudp: localPort ${holder.port} is already in use`);
    t.is(run.sim.stats.osSockets, 0);
  } finally {
    await run.sim.stop();
    holder.close();
  }
});

test("a socket opened without a port binds an ephemeral port (49152-65535) on its first send", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  const client = await UdpClient.open();
  try {
    await run.waitFor(/^open /);
    run.sim.agent("send", { address: "127.0.0.1", port: client.port, text: "from-ephemeral" });
    await run.waitFor(/^eph send rc 0$/);
    await client.waitReplies(1);
    const from = client.replies[0];
    t.is(from.data.toString(), "from-ephemeral");
    t.true(from.port >= 49152 && from.port <= 65535, `port ${from.port}`);
    // The ephemeral port receives too.
    await client.send("back", from.port);
    t.is(await run.waitFor(/^eph rx /), `eph rx back on ${from.port}`);
    run.sim.agent("close", null);
    await run.waitFor(/^extra closed$/);
  } finally {
    client.close();
    await run.sim.stop();
  }
});

test("link down: ETHERNET_STOPPED_NO_LINK, no delivery; link up: the sequence again and the echo recovers", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  const client = await UdpClient.open();
  try {
    await run.waitFor(/^open /);
    const mark = run.logs.length;
    run.sim.control("link eth0 down");
    await run.waitFor(/^closed$/);
    t.true(run.logs.slice(mark).includes("state 204"));
    await client.send("while-down", port);
    run.sim.control("link eth0 up");
    await run.waitFor(new RegExp(`^open ${port}$`), undefined, mark + 2);
    t.deepEqual(
      run.logs.slice(mark).filter((l) => l.startsWith("state ")),
      ["state 204", "state 200", "state 201", "state 1"],
    );
    // Two probes after the link came back, both answered, and nothing before or between them:
    // the datagram sent while the link was down was never delivered.
    await client.send("after", port);
    await client.waitReplies(1);
    await client.send("after, again", port);
    await client.waitReplies(2);
    t.deepEqual(
      client.replies.map((reply) => reply.data.toString()),
      ["after", "after, again"],
    );
    t.false(run.logs.some((line) => line.endsWith(" while-down")), "the app never received it");
  } finally {
    client.close();
    await run.sim.stop();
  }
});

test("link taken down while packets are in flight: no crash, and the app recovers", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  const client = await UdpClient.open();
  try {
    await run.waitFor(/^open /);
    const payload = Buffer.alloc(200, 0x41);
    for (let i = 0; i < 500; i++) client.socket.send(payload, port, "127.0.0.1");
    run.sim.control("link eth0 down");
    await run.waitFor(/^closed$/);
    run.sim.control("link eth0 up");
    const mark = run.logs.length;
    await run.waitFor(/^open /, undefined, mark);
    // Echoes of the flood may still be on their way: wait for this probe's own.
    await client.send("still-alive", port);
    await until(() => client.replies.some((reply) => reply.data.toString() === "still-alive"), "the echo of a probe sent after the link came back");
    t.deepEqual(run.crashes, []);
  } finally {
    client.close();
    await run.sim.stop();
  }
});

test("link unhappy (the W5500 stops answering): ETHERNET_STOPPED_NO_LINK as on ESP32, then recovery on link up", async (t) => {
  // ESP32's ECMA-419 Ethernet has no event for a chip failing while running: its link reads as down (docs/esp32.md §2).
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  try {
    await run.waitFor(/^open /);
    const mark = run.logs.length;
    run.sim.control("link eth0 unhappy");
    await run.waitFor(/^state 204$/, undefined, mark);
    await run.waitFor(/^closed$/, undefined, mark);
    run.sim.control("link eth0 up");
    await run.waitFor(/^open /, undefined, mark);
    t.deepEqual(
      run.logs.slice(mark).filter((l) => l.startsWith("state ")),
      ["state 204", "state 200", "state 201", "state 1"],
    );
  } finally {
    await run.sim.stop();
  }
});

test("dhcp delay: CONNECTED comes no sooner than the configured delay after the link comes up", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  try {
    await run.waitFor(/^open /);
    run.sim.control("dhcp eth0 delay 1000");
    run.sim.control("link eth0 down");
    await run.waitFor(/^closed$/);
    const mark = run.logs.length;
    // A lower bound only, which a busy machine can only make later: measured from
    // before the command, since when ETHERNET_DHCPING is seen depends on the load.
    const commanded = performance.now();
    run.sim.control("link eth0 up");
    await run.waitFor(/^state 201$/, undefined, mark);
    await run.waitFor(/^state 1$/, undefined, mark);
    const waited = performance.now() - commanded;
    // 1000 ms less a margin for Node's timer clock, which is read once per event-loop turn.
    t.true(waited >= 900, `connected ${waited.toFixed(0)} ms after the link came up`);
  } finally {
    await run.sim.stop();
  }
});

test("an exception in the receive callback is reported through server.error and the socket keeps working", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  const client = await UdpClient.open();
  try {
    await run.waitFor(/^open /);
    await client.send("throw", port);
    const line = await run.waitFor(/threw/);
    t.regex(line, /^onreceive callback threw: Error: callback failure on purpose/);
    await client.send("next", port);
    await client.waitReplies(1);
    t.is(client.replies[0].data.toString(), "next");
    t.deepEqual(run.crashes, []);
  } finally {
    client.close();
    await run.sim.stop();
  }
});

test("agent messages reach agent.on handlers, and agent.send reaches the supervisor", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  try {
    await run.waitFor(/^open /);
    run.sim.control('agent ping {"n": 42}');
    t.is(await run.waitFor(/^agent\.send rc/), "agent.send rc 0");
    t.deepEqual(run.agent, [{ name: "pong", data: { n: 42 } }]);
  } finally {
    await run.sim.stop();
  }
});

test("the seed's relay example sends agent data out by UDP from port 1234", async (t) => {
  // Port 1234 is the seed's and what this test checks: on an address no other run uses.
  const address = uniqueLoopback();
  const run = await runApp("examples/relay.ts", { interfaces: [{ name: "eth0", address }] });
  const sink = await UdpClient.open();
  try {
    // The app starts once eth0 is CONNECTED and opens its socket on the state callback that follows.
    await until(() => run.sim.handleFor(1234) !== undefined, "the relay's socket on port 1234");
    run.sim.agent("relay.target", { address: "127.0.0.1", port: sink.port });
    await run.waitFor(/^relay: sending to /);
    run.sim.agent("relay.data", "relayed text");
    await sink.waitReplies(1);
    t.is(sink.replies[0].data.toString(), "relayed text");
    t.is(sink.replies[0].address, address);
    t.is(sink.replies[0].port, 1234);
  } finally {
    sink.close();
    await run.sim.stop();
  }
});

test("by default the app starts once eth0 is CONNECTED: its top level runs online and its callback is told CONNECTED", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, { config: { port: String(port) } });
  try {
    await run.waitFor(new RegExp(`^open ${port}$`));
    t.deepEqual(run.logs.slice(0, 3), ["app started on eth0", "state 1", `open ${port}`]);
    run.sim.agent("info", null);
    t.regex(await run.waitFor(/^info /), /"ipv4":\{"address":"127\.0\.0\.1"/);
  } finally {
    await run.sim.stop();
  }
});

test("the primary interface is the first --iface: with wl0 first the app waits for wl0", async (t) => {
  const port = await freePort();
  const run = await runApp(APP, {
    interfaces: [
      { name: "wl0", address: "127.0.0.10" },
      { name: "eth0", address: "127.0.0.11" },
    ],
    config: { port: String(port), ssid: "office", iface: "wl0" },
  });
  try {
    await run.waitFor(new RegExp(`^open ${port}$`));
    t.deepEqual(run.logs.slice(0, 2), ["app started on wl0", "state 1"]);
  } finally {
    await run.sim.stop();
  }
});

test("an app that throws while starting is reported as a crash with its XS stack", async (t) => {
  const run = await runApp("tests/sim/apps/crash-at-start.ts");
  const result = await run.sim.stopped;
  t.is(result.code, 1);
  t.is(run.crashes.length, 1);
  t.regex(run.crashes[0], /deliberate start-up failure/);
  t.regex(run.crashes[0], /crash-at-start\.ts/);
  t.deepEqual(run.logs, ["about to fail"]);
});
