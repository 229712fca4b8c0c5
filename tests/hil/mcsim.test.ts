/**
 * Hardware-in-loop against Moddable's mcsim with impnet's native UDP
 * (docs/native-udp.md §3): main.ts built for lin ($MODDABLE), its eth0 on
 * 127.0.0.130. No rate or size limits: the datagram sizes, the closed-loop
 * sequence and the zero-length datagram stock lin UDP cannot carry
 * (docs/compatibility.md §3). Skipped, with the reason, without an SDK.
 */
import test from "ava";
import { createSocket, type Socket } from "node:dgram";
import { runEcho } from "../../tools/peer/index";
import { buildApp, mcsimSdk, startApp, type McsimApp } from "../../tools/rig/mcsim";
import { metrics } from "./target";

const DEVICE = "127.0.0.130";
const OTHER = "127.0.0.131";
const sdk = mcsimSdk();

/** A socket on `address`:`port` (0: any free port). */
function bound(address: string, port = 0): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

if (typeof sdk === "string") {
  test.skip(`mcsim with native UDP: skipped, ${sdk}`, () => {});
} else {
  let app: McsimApp;

  test.before(async (t) => {
    t.timeout(20 * 60_000, "a first lin build compiles XS");
    const so = await buildApp(sdk, "hil-native-main", "main.ts", { config: { eth0_address: DEVICE }, env: { IMPNET_UDP: "native" } });
    app = startApp(sdk, so);
    await app.waitFor(/^echo: listening on /);
  });

  test.after.always(async () => {
    await app?.stop();
  });

  test.serial("main.ts reports eth0 as the platform tells it: 127.0.0.130 on lo's /8", async (t) => {
    const line = await app.waitFor(/^echo: listening on /);
    t.is(line, `echo: listening on ${DEVICE}:1234 (broadcast 127.255.255.255)`);
  });

  test.serial("echo is byte-exact from 16 to 65507 bytes, closed loop, nothing lost", async (t) => {
    const sizes = [16, 64, 512, 1400, 1472, 2048, 2049, 8192, 32768, 65507];
    const report = await runEcho({ target: `${DEVICE}:1234`, size: sizes, count: 50, window: 16, timeoutMs: 5000, pattern: "random" });
    for (const result of report.results) {
      t.log(metrics({ size: result.size, sent: result.sent, received: result.received, corrupted: result.corrupted, p50ms: result.rttMs?.p50 ?? NaN }));
      t.is(result.received, result.sent, `size ${result.size}`);
      t.is(result.corrupted, 0, `size ${result.size}`);
    }
    t.deepEqual(report.results.map((r) => r.size), sizes);
  });

  test.serial("10 000 datagrams in closed loop (32 in flight) all come back, in order", async (t) => {
    const [result] = (await runEcho({ target: `${DEVICE}:1234`, size: 64, count: 10_000, window: 32, timeoutMs: 5000 })).results;
    t.log(metrics({ sent: result.sent, received: result.received, reordered: result.reordered, pps: Math.round(result.receivedPps), p50ms: result.rttMs?.p50 ?? NaN, p99ms: result.rttMs?.p99 ?? NaN }));
    t.is(result.received, 10_000);
    t.is(result.lost, 0);
    t.is(result.reordered, 0);
    t.is(result.duplicated, 0);
  });

  test.serial("a zero-length datagram reaches the app and its zero-length echo comes back", async (t) => {
    const peer = await bound("127.0.0.1");
    try {
      const reply = new Promise<{ length: number; from: string }>((resolve) => peer.once("message", (data, info) => resolve({ length: data.length, from: `${info.address}:${info.port}` })));
      peer.send(Buffer.alloc(0), 1234, DEVICE);
      t.deepEqual(await reply, { length: 0, from: `${DEVICE}:1234` });
    } finally {
      peer.close();
    }
  });

  test.serial("the socket is bound to eth0's address only: another address's port 1234 is free and gets nothing", async (t) => {
    // Stock lin UDP binds INADDR_ANY:1234, which would make this bind fail (EADDRINUSE) and take these datagrams.
    const other = await bound(OTHER, 1234);
    const peer = await bound("127.0.0.1");
    try {
      const heard = new Promise<string>((resolve) => other.once("message", (data) => resolve(data.toString())));
      const echoed = new Promise<string>((resolve) => peer.once("message", (data, info) => resolve(`${data.toString()} from ${info.address}:${info.port}`)));
      peer.send("to the other address", 1234, OTHER);
      peer.send("to the device", 1234, DEVICE);
      t.is(await echoed, `to the device from ${DEVICE}:1234`);
      t.is(await heard, "to the other address");
    } finally {
      other.close();
      peer.close();
    }
  });
}
