/**
 * Nothing is lost on close (docs/compatibility.md §6, "send() then close()"):
 * every datagram for which send() returned 0 (or an ECMA-419 write() did not
 * throw) reaches the wire, in order, even when the socket closes in the same
 * turn. A real peer socket counts what arrives.
 */
import test from "ava";
import { runApp, UdpClient, freePort, type SimRun } from "../support/sim";

// Each test gets its own simulator address, so ports never clash with other tests.
async function start(address: string): Promise<{ run: SimRun; peer: UdpClient }> {
  const run = await runApp("tests/sim/apps/send-close.ts", { interfaces: [{ name: "eth0", address }] });
  await run.waitFor(/^connected$/);
  const peer = await UdpClient.open("127.0.0.1");
  return { run, peer };
}

function texts(peer: UdpClient): string[] {
  return peer.replies.map((r) => r.data.toString());
}

test("a bound socket: five sends then close in one turn, all five arrive in order from its port", async (t) => {
  const { run, peer } = await start("127.0.0.111");
  const localPort = await freePort();
  try {
    run.sim.agent("bound", { address: "127.0.0.1", port: peer.port, count: 5, localPort });
    t.is(await run.waitFor(/^bound rc /), "bound rc 0,0,0,0,0");
    await peer.waitReplies(5);
    t.deepEqual(texts(peer), ["bound 0", "bound 1", "bound 2", "bound 3", "bound 4"]);
    t.true(peer.replies.every((r) => r.port === localPort && r.address === "127.0.0.111"));
    // The port is free again afterwards.
    run.sim.agent("bound", { address: "127.0.0.1", port: peer.port, count: 1, localPort });
    t.is(await run.waitFor(/^bound rc /, undefined, run.logs.length), "bound rc 0");
    await peer.waitReplies(6);
    t.is(run.sim.stats.osSockets, 0, "every real socket closed");
  } finally {
    peer.close();
    await run.sim.stop();
  }
});

test("an unbound socket: its first send binds, three sends then close, all three arrive from one ephemeral port", async (t) => {
  const { run, peer } = await start("127.0.0.112");
  try {
    run.sim.agent("unbound", { address: "127.0.0.1", port: peer.port, count: 3 });
    t.is(await run.waitFor(/^unbound rc /), "unbound rc 0,0,0");
    await peer.waitReplies(3);
    t.deepEqual(texts(peer), ["unbound 0", "unbound 1", "unbound 2"]);
    const ports = new Set(peer.replies.map((r) => r.port));
    t.is(ports.size, 1);
    const [port] = ports;
    t.true(port >= 49152 && port <= 65535, `ephemeral port ${port}`);
  } finally {
    peer.close();
    await run.sim.stop();
  }
});

test("300 sockets that each open, send once and close in one turn: all 300 datagrams arrive, in order", async (t) => {
  const { run, peer } = await start("127.0.0.113");
  try {
    run.sim.agent("many", { address: "127.0.0.1", port: peer.port, count: 300 });
    t.is(await run.waitFor(/^many rc /), "many rc 300 of 300");
    await peer.waitReplies(300);
    t.deepEqual(texts(peer), Array.from({ length: 300 }, (_, i) => `many ${i}`));
    // Each socket frees its port before the next picks one, so a port may come round again.
    t.true(peer.replies.every((r) => r.port >= 49152 && r.port <= 65535), "each from an ephemeral port");
    t.is(run.sim.stats.osSockets, 0);
  } finally {
    peer.close();
    await run.sim.stop();
  }
});

test("send, close, reopen the same port, send, close in one turn: both arrive, in order, from that port", async (t) => {
  const { run, peer } = await start("127.0.0.114");
  const localPort = await freePort();
  try {
    run.sim.agent("reopen", { address: "127.0.0.1", port: peer.port, localPort });
    t.is(await run.waitFor(/^reopen rc /), "reopen rc 0,0");
    await peer.waitReplies(2);
    t.deepEqual(texts(peer), ["before reopen", "after reopen"]);
    t.true(peer.replies.every((r) => r.port === localPort));
  } finally {
    peer.close();
    await run.sim.stop();
  }
});

test("ECMA-419 socket: write() three times then close() in one turn, bound and unbound: every datagram arrives", async (t) => {
  const { run, peer } = await start("127.0.0.115");
  const localPort = await freePort();
  try {
    run.sim.agent("ecma419", { address: "127.0.0.1", port: peer.port, count: 3, localPort });
    await run.waitFor(/^ecma419 written$/);
    await peer.waitReplies(3);
    run.sim.agent("ecma419", { address: "127.0.0.1", port: peer.port, count: 3 });
    await run.waitFor(/^ecma419 written$/, undefined, run.logs.length);
    await peer.waitReplies(6);
    t.deepEqual(texts(peer), ["ecma419 0", "ecma419 1", "ecma419 2", "ecma419 0", "ecma419 1", "ecma419 2"]);
    t.true(peer.replies.slice(0, 3).every((r) => r.port === localPort));
    t.deepEqual(run.crashes, []);
  } finally {
    peer.close();
    await run.sim.stop();
  }
});
