/**
 * Native UDP in Moddable's mcsim on a private LAN of network namespaces
 * (root + iproute2 + a Moddable SDK): mcsim and its X server run in the
 * device's namespace with eth0 on 10.79.230.1/24, a Node peer in another on
 * .2. The app (tests/hil/apps/destinations.ts) reports each datagram's
 * toAddress, which stock Moddable cannot tell (docs/native-udp.md §3), and
 * eth0's IP table, which native UDP reads from the host's interface table:
 * the lin host's mc/config still says eth0_netmask 255.0.0.0.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import { buildApp, mcsimSdk, startApp, type McsimApp } from "../../tools/rig/mcsim";
import { finished, waitOutput } from "../../tools/rig/process";
import { root } from "../../tools/rig/sim";
import { createLan, netnsUnavailable, type NamespaceLan } from "../../tools/rig/netns";
import { metrics } from "./target";

// A fixed subnet inside namespaces this file creates: the build (which names the address) stays cached.
const DEVICE = "10.79.230.1";
const PEER = "10.79.230.2";
const BROADCAST = "10.79.230.255";
const sdk = mcsimSdk();
const reason = typeof sdk === "string" ? sdk : netnsUnavailable();

if (typeof sdk === "string" || reason !== null) {
  test.skip(`mcsim with native UDP on a namespace LAN: skipped, ${reason}`, () => {});
} else {
  let lan: NamespaceLan;
  let app: McsimApp;

  test.before(async (t) => {
    t.timeout(20 * 60_000, "a first lin build compiles XS");
    const so = await buildApp(sdk, "hil-native-lan", "tests/hil/apps/destinations.ts", { config: { eth0_address: DEVICE }, env: { IMPNET_UDP: "native" } });
    lan = createLan(`impnet-mcl${process.pid}`, 2, 79, 230);
    // A default route through the peer, for the gateway the IP table must show.
    execFileSync("ip", ["-n", lan.hosts[0], "route", "add", "default", "via", PEER]);
    app = startApp(sdk, so, lan.hosts[0]);
    await app.waitFor(/^ready$/);
  });

  test.after.always(async () => {
    await app?.stop();
    lan?.remove();
  });

  test.serial("eth0's IP table comes from the host's interface and route tables, not mc/config", async (t) => {
    const line = await app.waitFor(/^table /);
    t.deepEqual(JSON.parse(line.slice("table ".length)), { address: DEVICE, netmask: "255.255.255.0", broadcast: BROADCAST, gateway: PEER });
  });

  test.serial("toAddress tells unicast, subnet broadcast and limited broadcast apart", async (t) => {
    // The peer's socket is bound to its address, so its limited broadcast leaves through its LAN interface.
    const script = `
      const s = require("node:dgram").createSocket("udp4");
      const got = [];
      s.on("message", (m, r) => { got.push(m.toString() + "@" + r.address + ":" + r.port); if (got.length === 3) { console.log(JSON.stringify(got.sort())); process.exit(0); } });
      s.bind(0, "${PEER}", () => {
        s.setBroadcast(true);
        s.send("one", 1234, "${DEVICE}");
        s.send("two", 1234, "${BROADCAST}");
        s.send("three", 1234, "255.255.255.255");
      });
      setTimeout(() => { console.log(JSON.stringify(got.sort())); process.exit(1); }, 20000);`;
    const client = await finished(lan.spawn(1, process.execPath, ["-e", script], root));
    t.is(client.code, 0, client.stdout + client.stderr);
    t.deepEqual(JSON.parse(client.stdout), [`broadcast:two@${DEVICE}:1234`, `limited:three@${DEVICE}:1234`, `unicast:one@${DEVICE}:1234`]);
    t.log(metrics({ device: app.lines.filter((l) => l.startsWith("rx ")).join(" | ") }));
  });

  test.serial("a broadcast send reaches the LAN, and the device does not hear its own broadcast", async (t) => {
    // The peer listens on port 1234 of every address, as a second device would; the device broadcasts to its own port.
    const script = `
      const s = require("node:dgram").createSocket({ type: "udp4", reuseAddr: true });
      const got = [];
      s.on("message", (m, r) => { got.push(m.toString() + "@" + r.address + ":" + r.port); if (got.length === 2) { console.log(JSON.stringify(got.sort())); process.exit(0); } });
      s.bind(1234, () => { console.log("listening"); });
      const c = require("node:dgram").createSocket("udp4");
      c.on("message", (m) => { got.push("reply " + m.toString()); if (got.length === 2) { console.log(JSON.stringify(got.sort())); process.exit(0); } });
      process.stdin.on("data", () => c.send("broadcast 1234", 1234, "${DEVICE}"));
      setTimeout(() => { console.log(JSON.stringify(got.sort())); process.exit(1); }, 20000);`;
    const client = lan.spawn(1, process.execPath, ["-e", script], root);
    const done = finished(client);
    await waitOutput(client, /listening/);
    const from = app.lines.length;
    client.stdin.write("go\n");
    const result = await done;
    t.is(result.code, 0, result.stdout + result.stderr);
    t.deepEqual(JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "[]"), [`hello@${DEVICE}:1234`, "reply unicast:broadcast 1234"]);
    // A marker after the broadcast: once the app logged it, its own broadcast (looped back by Linux at once) would have been logged before.
    const marker = await finished(lan.spawn(1, process.execPath, ["-e", `const s = require("node:dgram").createSocket("udp4"); s.on("message", () => process.exit(0)); s.send("marker", 1234, "${DEVICE}"); setTimeout(() => process.exit(1), 20000);`], root));
    t.is(marker.code, 0);
    await app.waitFor(/ marker$/, 20_000, from);
    const heard = app.lines.slice(from).filter((line) => line.startsWith("rx "));
    t.deepEqual(heard.map((line) => line.replace(/ from \S+ /, " ")), [`rx unicast to ${DEVICE}:1234 broadcast 1234`, `rx unicast to ${DEVICE}:1234 marker`]);
  });
}
