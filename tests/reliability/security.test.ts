/**
 * Security inside XS (issue "Reliability and security", item 6; threat model
 * in docs/security.md). The fake-network half (the send fuzz against the
 * reference rule, ports 67/68, hostile callbacks, spoofing) runs in the fast
 * tier: tests/unit/security.test.ts.
 *
 * - a batch of fuzzed sends inside XS where every call must be refused and
 *   nothing may leave the simulator;
 * - callbacks cannot tear down other sockets, and peers cannot close them;
 * - a send to destination port 0 does not take the simulator down.
 */
import test from "ava";
import fc from "fast-check";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { waitOutput } from "../support/process";
import { freePorts, root, UdpClient } from "../support/sim";
import { encode, type Encoded } from "./codec";
import { ADDRESS, SIZES, until } from "./common";
import { startHarness } from "./harness";
import { addressArbitrary, octets, portArbitrary, referenceOutcome, referencePrivate } from "./send-reference";

// ---------------------------------------------------------------- XS

test.serial("fuzzed non-private destinations are all refused inside XS, and nothing leaves the simulator", async (t) => {
  const count = SIZES.xsSends();
  // Every generated call must be refused: private destinations (which would really leave this
  // machine) and loopback (which the simulator allows on its loopback interface) are left out.
  const refusable = fc.tuple(addressArbitrary, portArbitrary).filter(([address]) => {
    const o = octets(address);
    return !(o !== null && (referencePrivate(address) || o[0] === 127));
  });
  const cases = fc.sample(refusable, { seed: SIZES.seed() + 3, numRuns: count });
  const harness = await startHarness({ address: ADDRESS.security });
  try {
    const sim = harness.sim;
    await harness.request("ping");
    const outBefore = sim.stats.packetsOut;
    const tally: Record<string, number> = {};
    for (let start = 0; start < cases.length; start += 1000) {
      const batch = cases.slice(start, start + 1000);
      const answer = (await harness.request("sendfuzz", {
        cases: batch.map(([address, port]) => ({ address: encode(address), port: encode(port), data: "x" as Encoded })),
      })) as { outcomes: string[]; unboundPort: number };
      t.is(answer.unboundPort, 0, "the unbound socket stayed unbound");
      batch.forEach(([address, port], i) => {
        const want = referenceOutcome(address, port);
        for (const got of answer.outcomes.slice(2 * i, 2 * i + 2)) {
          tally[got] = (tally[got] ?? 0) + 1;
          if (got !== want) t.fail(`XS send(${JSON.stringify(encode(address))}, ${JSON.stringify(encode(port))}): ${got}, reference says ${want}`);
        }
      });
    }
    await harness.request("ping");
    t.is(sim.stats.packetsOut - outBefore, 0, "no datagram left the simulator");
    t.deepEqual(harness.crashes, []);
    t.log(`send fuzz (XS): ${count} cases × 2 sockets, all refused (${Object.entries(tally).map(([k, n]) => `${n} ${k}`).join(", ")}), 0 datagrams out`);
  } finally {
    await harness.stop();
  }
});

test.serial("a callback cannot take down another socket, whatever it does (XS)", async (t) => {
  const harness = await startHarness({ address: ADDRESS.security });
  const client = await UdpClient.open(ADDRESS.peers[0]);
  try {
    const [a, b] = await freePorts(2, ADDRESS.security);
    await harness.request("hostile-arm", { a, b });
    const inBefore = harness.sim.stats.packetsIn;
    for (let i = 0; i < 200; i++) await client.send(`d${i}`, i % 2 === 0 ? a : b, ADDRESS.security);
    await until(() => harness.sim.stats.packetsIn - inBefore >= 200, "the 200 datagrams");
    await harness.request("ping");
    const report = (await harness.request("hostile-report")) as { a: number; b: number; refused: number; open: boolean[] };
    t.deepEqual(report, { a: 100, b: 100, refused: 700, open: [true, true] });
    t.is(harness.errors.length, 100);
    t.true(harness.errors.every((line) => line.startsWith("onreceive callback threw: Error: hostile callback")));
    t.deepEqual(harness.crashes, []);
  } finally {
    client.close();
    await harness.stop();
  }
});

// Fixed simulator bug, kept as a regression test: a send to destination port 0 (allowed by
// impOS) made Node's dgram throw inside the supervisor. Run in its own process.
test("an app's send to destination port 0 does not take the simulator down", async (t) => {
  const child = spawn(process.execPath, [join(root, "hosts", "sim", "bin.js"), "--no-typecheck", "--iface", `eth0=${ADDRESS.security}`, join(root, "tests", "reliability", "apps", "port-zero.ts")], {
    cwd: root,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const alive = await Promise.race([waitOutput(child, /still alive/).then(() => true, () => false), exited.then(() => false)]);
    t.regex(output, /running .*port-zero\.ts on XS/, "the simulator started the app");
    t.true(alive, `the simulator died:\n${output}`);
  } finally {
    child.kill();
    await exited;
  }
});
