/**
 * The firmware's randomness comes from the host's entropy (docs/compatibility.md
 * §6, "Randomness"): two simulated devices, or two runs, pick different
 * ephemeral ports; a given seed repeats a run. Observed on the wire: the
 * source port of the first datagrams of unbound sockets.
 */
import test from "ava";
import { runApp, UdpClient } from "../support/sim";
import type { SimOptions } from "../../hosts/sim/simulator";
import { seededRandom } from "../../hosts/sim/xs/random";

/** Starts the app on `address`, has three unbound sockets each send once, and returns their source ports as a peer saw them. */
async function firstEphemeralPorts(address: string, options: Partial<SimOptions> = {}): Promise<number[]> {
  const run = await runApp("tests/sim/apps/send-close.ts", { interfaces: [{ name: "eth0", address }], ...options });
  const peer = await UdpClient.open("127.0.0.1");
  try {
    await run.waitFor(/^connected$/);
    for (let i = 0; i < 3; i++) {
      const mark = run.logs.length;
      run.sim.agent("unbound", { address: "127.0.0.1", port: peer.port, count: 1 });
      await run.waitFor(/^unbound rc 0$/, undefined, mark);
      await peer.waitReplies(i + 1);
    }
    return peer.replies.map((r) => r.port);
  } finally {
    peer.close();
    await run.sim.stop();
  }
}

test("two simulated devices started together pick different ephemeral ports", async (t) => {
  const [a, b] = await Promise.all([firstEphemeralPorts("127.0.0.116"), firstEphemeralPorts("127.0.0.117")]);
  t.log(`device A: ${a.join(", ")}; device B: ${b.join(", ")}`);
  for (const port of [...a, ...b]) t.true(port >= 49152 && port <= 65535, `port ${port}`);
  t.notDeepEqual(a, b);
});

test("two runs one after the other pick different ephemeral ports; the same seed repeats them", async (t) => {
  const first = await firstEphemeralPorts("127.0.0.118");
  const second = await firstEphemeralPorts("127.0.0.118");
  t.log(`run 1: ${first.join(", ")}; run 2: ${second.join(", ")}`);
  t.notDeepEqual(first, second);
  const seed = [0x12345678, 0x9abcdef0, 0x0fedcba9, 0x87654321];
  const seeded = await firstEphemeralPorts("127.0.0.118", { seed });
  t.deepEqual(await firstEphemeralPorts("127.0.0.118", { seed }), seeded, "a given seed gives the same ports");
});

test("the seeded generator: doubles in [0, 1) spread over the range, one sequence per seed, an all-zero seed still moves", (t) => {
  const sample = (seed: number[], n: number): number[] => {
    const random = seededRandom(seed);
    return Array.from({ length: n }, () => random());
  };
  const values = sample([1, 2, 3, 4], 10000);
  t.true(values.every((v) => v >= 0 && v < 1));
  const buckets = new Array<number>(10).fill(0);
  for (const v of values) buckets[Math.floor(v * 10)]++;
  t.true(buckets.every((count) => count > 800 && count < 1200), `buckets ${buckets.join(",")}`);
  t.deepEqual(sample([1, 2, 3, 4], 5), values.slice(0, 5));
  t.notDeepEqual(sample([1, 2, 3, 5], 5), values.slice(0, 5));
  const zero = sample([0, 0, 0, 0], 5);
  t.is(new Set(zero).size, 5);
});
