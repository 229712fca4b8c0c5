/**
 * Hardware-in-loop on a private LAN of network namespaces (root + iproute2):
 * the simulator runs main.ts on 10.78.S.1/24 in one namespace, impnet-peer
 * runs in another. The strict impOS address rule applies (no loopback), and
 * the seed echo's toAddress check sees real unicast and broadcast
 * destinations. A second subnet on the same wire shows that a send to a
 * private address outside the interface's own subnet never leaves the device.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { root } from "../../tools/rig/sim";
import { finished as finish, waitOutput } from "../../tools/rig/process";
import { createLan, netnsUnavailable, type NamespaceLan } from "../../tools/rig/netns";
import type { BroadcastReport, EchoReport } from "../../tools/peer/types";
import { HANG_GUARD_MS } from "../../tools/rig/wait";
import { metrics } from "./target";

// --no-typecheck: `npm test` type-checks these apps already; the CLI's check is tested in tests/sim/cli.test.ts.
const SIM = join(root, "hosts", "sim", "bin.js");
const PEER = join(root, "tools", "peer", "bin.js");
const reason = netnsUnavailable();

if (reason !== null) {
  test.skip(`namespace LAN cases (skipped: ${reason})`, () => {});
} else {
  let lan: NamespaceLan;
  test.before(() => {
    lan = createLan(`impnet-hil${process.pid}`, 2, 78, 100 + (process.pid % 100));
  });
  test.after.always(() => lan?.remove());

  test.serial("main.ts in the simulator answers unicast and subnet-broadcast echoes across the LAN", async (t) => {
    const device = lan.address(0);
    const sim = lan.spawn(0, process.execPath, [SIM, "--no-typecheck", "--iface", `eth0=${device}/24`, "main.ts"], root);
    try {
      t.regex(await waitOutput(sim, /echo: listening on/), new RegExp(`echo: listening on ${device.replace(/\./g, "\\.")}:1234 \\(broadcast ${lan.broadcast.replace(/\./g, "\\.")}\\)`));
      const echo = finish(lan.spawn(1, process.execPath, [PEER, "echo", "--target", `${device}:1234`, "--count", "2000", "--size", "512", "--timeout", "60s", "--json"], root));
      const echoResult = await echo;
      t.is(echoResult.code, 0, echoResult.stderr);
      const [unicast] = (JSON.parse(echoResult.stdout) as EchoReport).results;
      t.log(metrics({ case: "unicast", sent: unicast.sent, received: unicast.received, lost: unicast.lost, p50ms: unicast.rttMs?.p50 ?? NaN, p99ms: unicast.rttMs?.p99 ?? NaN }));
      t.is(unicast.received, unicast.sent);
      t.is(unicast.corrupted, 0);

      const broadcast = await finish(lan.spawn(1, process.execPath, [PEER, "broadcast", "--target", `${lan.broadcast}:1234`, "--count", "5", "--rate", "20", "--timeout", "3s", "--json"], root));
      t.is(broadcast.code, 0, broadcast.stderr);
      const [result] = (JSON.parse(broadcast.stdout) as BroadcastReport).results;
      t.log(metrics({ case: "broadcast", sent: result.sent, replies: result.replies, responders: result.responders.map((r) => `${r.address}:${r.port}`).join(",") }));
      t.deepEqual(
        result.responders.map((r) => `${r.address}:${r.port}`),
        [`${device}:1234`],
      );
      t.is(result.responders[0].matched, 5);
    } finally {
      sim.stdin.end("quit\n");
      await finish(sim);
    }
  });

  test.serial("toAddress tells unicast from broadcast on a real LAN", async (t) => {
    const device = lan.address(0);
    const sim = lan.spawn(0, process.execPath, [SIM, "--no-typecheck", "--iface", `eth0=${device}/24`, "tests/sim/apps/tostate.ts"], root);
    try {
      await waitOutput(sim, /^ready /m);
      const script = `
        const s = require("node:dgram").createSocket("udp4");
        const got = [];
        s.on("message", (m) => { got.push(m.toString()); if (got.length === 2) { console.log(JSON.stringify(got.sort())); process.exit(0); } });
        s.bind(0, () => { s.setBroadcast(true); s.send("one", 1234, "${device}"); setTimeout(() => s.send("two", 1234, "${lan.broadcast}"), 50); });
        setTimeout(() => { console.log(JSON.stringify(got.sort())); process.exit(1); }, ${HANG_GUARD_MS});`;
      const client = await finish(lan.spawn(1, process.execPath, ["-e", script], root));
      t.is(client.code, 0, client.stdout + client.stderr);
      t.deepEqual(JSON.parse(client.stdout), ["broadcast:two", "unicast:one"]);
    } finally {
      sim.stdin.end("quit\n");
      await finish(sim);
    }
  });

  test.serial("a send to a private address outside the interface's subnet is refused and never reaches the wire", async (t) => {
    const device = lan.address(0);
    const peer = lan.address(1);
    const OTHER = "192.168.99.1";
    // A second subnet on the same wire: the peer also owns OTHER, and the device's OS has an on-link
    // route to it, so a datagram impnet let through would reach the peer.
    execFileSync("ip", ["-n", lan.hosts[1], "addr", "add", `${OTHER}/24`, "dev", "v0"]);
    execFileSync("ip", ["-n", lan.hosts[0], "route", "add", "192.168.99.0/24", "dev", "v0"]);
    const listenerScript = `
      const s = require("node:dgram").createSocket("udp4");
      const got = [];
      s.on("message", (m, r) => { got.push(m.toString() + "@" + r.address); if (m.toString() === "marker") { console.log(JSON.stringify(got)); process.exit(0); } });
      s.bind(0, () => console.log("listening " + s.address().port));
      setTimeout(() => { console.log(JSON.stringify(got)); process.exit(1); }, ${HANG_GUARD_MS});`;
    const listener = lan.spawn(1, process.execPath, ["-e", listenerScript], root);
    const listened = finish(listener);
    const sim = lan.spawn(0, process.execPath, [SIM, "--iface", `eth0=${device}/24`, "tests/sim/apps/lifecycle.ts"], root);
    try {
      const port = Number(/listening (\d+)/.exec(await waitOutput(listener, /listening \d+/))?.[1]);
      await waitOutput(sim, /^open 1234$/m);
      // Control: the wire carries a datagram from the device's namespace to OTHER.
      const control = await finish(lan.spawn(0, process.execPath, ["-e", `require("node:dgram").createSocket("udp4").send("control", ${port}, "${OTHER}", (e) => process.exit(e ? 1 : 0))`], root));
      t.is(control.code, 0, control.stderr);
      sim.stdin.write(`agent send {"address": "${OTHER}", "port": ${port}, "text": "off-subnet"}\n`);
      const refused = await waitOutput(sim, /handler threw/);
      t.regex(refused, new RegExp(`agent\\.on\\("send"\\) handler threw: RangeError: send: address 192\\.168\\.99\\.1 is outside eth0's subnet ${lan.net.replace(/\./g, "\\.")}\\.0/24`));
      sim.stdin.write(`agent send {"address": "${peer}", "port": ${port}, "text": "marker"}\n`);
      const heard = await listened;
      t.is(heard.code, 0, heard.stdout + heard.stderr);
      const received = JSON.parse(heard.stdout.trim().split("\n").at(-1) ?? "[]") as string[];
      t.log(metrics({ case: "off-subnet", wire: received.join(",") }));
      t.deepEqual(received, [`control@${device}`, `marker@${device}`], "the off-subnet datagram never reached the wire");
    } finally {
      sim.stdin.end("quit\n");
      await finish(sim);
      listener.kill();
    }
  });

  test.serial("on a LAN the strict impOS rule holds: a loopback destination is refused", async (t) => {
    const device = lan.address(0);
    const sim = lan.spawn(0, process.execPath, [SIM, "--no-typecheck", "--iface", `eth0=${device}/24`, "tests/sim/apps/lifecycle.ts"], root);
    try {
      await waitOutput(sim, /^open 1234$/m);
      sim.stdin.write('agent send {"address": "127.0.0.1", "port": 9, "text": "x"}\n');
      const out = await waitOutput(sim, /handler threw/);
      t.regex(out, /agent\.on\("send"\) handler threw: RangeError: send: address 127\.0\.0\.1 is not a private/);
    } finally {
      sim.stdin.end("quit\n");
      await finish(sim);
    }
  });
}
