/**
 * A socket belongs to its interface (docs/compatibility.md §6): in the XS
 * simulator a socket opened through eth0 is bound to eth0's addresses only
 * (unicast and subnet broadcast), sends from eth0's address, and never gets
 * what arrives for wl0, and the reverse. Watched on the wire: on loopback
 * with two addresses, and on a namespace network where the simulator's host
 * has two veths on two /24s (root and iproute2; skipped with the reason
 * otherwise).
 */
import test from "ava";
import { createSocket } from "node:dgram";
import { join } from "node:path";
import { root, runApp, UdpClient, freePorts } from "../../tools/rig/sim";
import { HANG_GUARD_MS } from "../../tools/rig/wait";
import { finished, waitOutput, type Finished } from "../../tools/rig/process";
import { createNetwork, netnsUnavailable, type NamespaceNetwork } from "../../tools/rig/netns";

const APP = "tests/sim/apps/two-interfaces.ts";
const SIM = join(root, "hosts", "sim", "bin.js");

/** Whether a real socket can bind `address:port` right now (the simulator holds it otherwise). */
function bindable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.close();
      resolve(true);
    });
  });
}

test("on loopback: each socket is bound to its own interface's address only, sends from it, and hears only its interface", async (t) => {
  const [ethPort, wlPort] = await freePorts(2);
  const run = await runApp(APP, {
    interfaces: [
      { name: "eth0", address: "127.0.0.120" },
      { name: "wl0", address: "127.0.0.121" },
    ],
    config: { ssid: "lab", eth0_port: String(ethPort), wl0_port: String(wlPort) },
  });
  const peer = await UdpClient.open("127.0.0.1");
  try {
    await run.waitFor(/^ready eth0 /);
    await run.waitFor(/^ready wl0 /);
    t.false(await bindable("127.0.0.120", ethPort), "eth0's socket holds eth0's address");
    t.true(await bindable("127.0.0.121", ethPort), "but not wl0's");
    t.true(await bindable("127.0.0.120", wlPort), "and wl0's socket does not hold eth0's address");

    // To eth0's port at wl0's address: nobody there. The barrier after it goes to wl0's socket.
    await peer.send("misaddressed", ethPort, "127.0.0.121");
    await peer.send("barrier", wlPort, "127.0.0.121");
    await peer.send("to eth0", ethPort, "127.0.0.120");
    await peer.waitReplies(2);
    t.deepEqual(
      peer.replies.map((r) => `${r.address}:${r.port} ${r.data.toString()}`),
      [`127.0.0.121:${wlPort} wl0:barrier`, `127.0.0.120:${ethPort} eth0:to eth0`],
    );
    t.deepEqual(
      run.logs.filter((line) => line.startsWith("rx ")),
      [`rx wl0 127.0.0.1:${peer.port} -> 127.0.0.121:${wlPort} barrier`, `rx eth0 127.0.0.1:${peer.port} -> 127.0.0.120:${ethPort} to eth0`],
    );

    // Sends leave from the socket's own interface address.
    run.sim.agent("send", { iface: "wl0", address: "127.0.0.1", port: peer.port, text: "from wl0" });
    run.sim.agent("send", { iface: "eth0", address: "127.0.0.1", port: peer.port, text: "from eth0" });
    await peer.waitReplies(4);
    t.deepEqual(
      peer.replies.slice(2).map((r) => `${r.address}:${r.port} ${r.data.toString()}`),
      [`127.0.0.121:${wlPort} from wl0`, `127.0.0.120:${ethPort} from eth0`],
    );
  } finally {
    peer.close();
    await run.sim.stop();
  }
});

/** Runs a Node script inside host `host`'s namespace and collects its output. */
function script(network: NamespaceNetwork, host: number, source: string): Promise<Finished> {
  return finished(network.spawn(host, process.execPath, ["-e", source], root));
}

/**
 * A peer script: sends each [text, address, port] in turn from one socket
 * (broadcast allowed), and prints the replies as JSON once `expect` arrived
 * (exit 0), or what it has at the hang guard (exit 1).
 */
function exchange(sends: [string, string, number][], expect: number): string {
  return `
    const s = require("node:dgram").createSocket("udp4");
    const got = [];
    const done = (code) => { console.log(JSON.stringify(got)); process.exit(code); };
    s.on("message", (m, r) => { got.push(r.address + ":" + r.port + " " + m.toString()); if (got.length === ${expect}) done(0); });
    s.bind(0, () => {
      s.setBroadcast(true);
      const sends = ${JSON.stringify(sends)};
      const next = (i) => { if (i < sends.length) s.send(sends[i][0], sends[i][2], sends[i][1], () => next(i + 1)); };
      next(0);
    });
    setTimeout(() => done(1), ${HANG_GUARD_MS});`;
}

/** A peer script that prints the first datagram arriving on `port` (source and text), then exits. */
function listen(port: number): string {
  return `
    const s = require("node:dgram").createSocket("udp4");
    s.on("message", (m, r) => { console.log(r.address + ":" + r.port + " " + m.toString()); process.exit(0); });
    s.bind(${port}, () => console.log("listening"));
    setTimeout(() => process.exit(1), ${HANG_GUARD_MS});`;
}

const reason = netnsUnavailable();
if (reason !== null) {
  test.skip(`two interfaces on two namespace subnets: skipped, ${reason}`, () => {});
} else {
  test.serial("two interfaces on two subnets (namespaces): source addresses and delivery follow the socket's interface", async (t) => {
    const tag = `impnet-if${process.pid}`;
    const second = 76;
    const third = 100 + (process.pid % 50);
    // Host 0 is the simulator's PC with two veths; host 1 is on eth0's subnet, host 2 on wl0's.
    const network = createNetwork(tag, 3, [
      { net: `10.${second}.${third}`, members: [0, 1] },
      { net: `10.${second}.${third + 50}`, members: [0, 2] },
    ]);
    const [lanA, lanB] = network.subnets;
    const eth0 = lanA.address(0);
    const wl0 = lanB.address(0);
    const sim = network.spawn(0, process.execPath, [SIM, "--iface", `eth0=${eth0}/24`, "--iface", `wl0=${wl0}/24`, "--config", "ssid=lab", APP], root);
    let simOut = "";
    sim.stdout.on("data", (d) => (simOut += d));
    const simEnded = new Promise<void>((resolve) => sim.on("close", () => resolve()));
    try {
      await waitOutput(sim, /ready eth0[\s\S]*ready wl0|ready wl0[\s\S]*ready eth0/);
      // On wl0's subnet: eth0's port (4001) at wl0's unicast and broadcast addresses reaches nobody;
      // wl0's own port answers, from wl0's address.
      const fromB = await script(
        network,
        2,
        exchange(
          [
            ["misaddressed unicast", wl0, 4001],
            ["misaddressed broadcast", lanB.broadcast, 4001],
            ["to wl0", wl0, 4002],
            ["to wl0 broadcast", lanB.broadcast, 4002],
          ],
          2,
        ),
      );
      t.is(fromB.code, 0, fromB.stdout + fromB.stderr);
      t.deepEqual(JSON.parse(fromB.stdout), [`${wl0}:4002 wl0:to wl0`, `${wl0}:4002 wl0:to wl0 broadcast`]);
      // On eth0's subnet: eth0's port answers from eth0's address; wl0's port at eth0's address reaches nobody.
      const fromA = await script(
        network,
        1,
        exchange(
          [
            ["misaddressed", eth0, 4002],
            ["to eth0", eth0, 4001],
          ],
          1,
        ),
      );
      t.is(fromA.code, 0, fromA.stdout + fromA.stderr);
      t.deepEqual(JSON.parse(fromA.stdout), [`${eth0}:4001 eth0:to eth0`]);

      // Sends from each socket leave with its interface's source address.
      for (const [host, iface, address, from] of [
        [2, "wl0", lanB.address(2), `${wl0}:4002`],
        [1, "eth0", lanA.address(1), `${eth0}:4001`],
      ] as const) {
        const listener = network.spawn(host, process.execPath, ["-e", listen(7000)], root);
        await waitOutput(listener, /listening/);
        const seen = waitOutput(listener, new RegExp(`from ${iface}`));
        sim.stdin.write(`agent send {"iface": "${iface}", "address": "${address}", "port": 7000, "text": "from ${iface}"}\n`);
        t.regex(await seen, new RegExp(`^${from.replace(/\./g, "\\.")} from ${iface}$`, "m"));
      }
      sim.stdin.end("quit\n");
      await simEnded;
      t.regex(simOut, /rx wl0 .* to wl0 broadcast/, "the simulator's output was collected");
      t.notRegex(simOut, /misaddressed/, "no socket got a datagram meant for the other interface");
    } finally {
      network.remove();
    }
  });
}
