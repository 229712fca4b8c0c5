/**
 * Runs inside a network namespace made by lan.test.ts (so the simulator's
 * real sockets live on that namespace's private LAN, not on this machine's
 * networks): the harness app on ADDRESS/24 with the strict impOS rule (no
 * loopback allowance), then
 *
 * - every row of the bad-input matrix, in all three phases, including the
 *   accepted sends to other private addresses (they stay on the namespace's
 *   LAN or find no route),
 * - a send fuzz over all addresses and ports: each call checked against the
 *   reference rule (private, and inside ADDRESS/24), and the datagrams that
 *   left counted.
 *
 * Prints one JSON line with the figures and the failures.
 *
 *   ip netns exec NS node --import tsx tests/reliability/ns-runner.ts ADDRESS COUNT
 */
import fc from "fast-check";
import { encode } from "../../tools/rig/reliability/codec";
import { SIZES } from "../../tools/rig/reliability/common";
import { startHarness, type Harness } from "../../tools/rig/reliability/harness";
import { check, newTally } from "../../tools/rig/reliability/matrix-check";
import type { RowResult } from "../../tools/rig/reliability/matrix-exec";
import { matrixRows, type Phase } from "../../tools/rig/reliability/matrix-table";
import { addressArbitraryFor, octets, portArbitrary, referenceOutcome, type Subnet } from "../../tools/rig/reliability/send-reference";

const [address, countText] = process.argv.slice(2);
const fuzzCount = Number(countText ?? 2000);

async function phaseTo(harness: Harness, phase: Phase): Promise<void> {
  const mark = harness.logs.length;
  if (phase === "connected") {
    harness.sim.control("link eth0 up");
    await harness.waitLog(new RegExp(`^open ${harness.echoPort}$`), mark);
  } else {
    harness.sim.control("link eth0 down");
    await harness.waitLog(/^state 204$/, mark);
  }
}

async function main(): Promise<void> {
  const harness = await startHarness({ address, rateLimit: true });
  const sim = harness.sim;
  const failures: string[] = [];
  try {
    // The matrix, strict rule.
    const rows = matrixRows();
    const opened = (await harness.request("matrix-open")) as { self: string; prefix: number };
    if (opened.self !== address || opened.prefix !== 24) failures.push(`self is ${opened.self}/${opened.prefix}`);
    const tally = newTally();
    const outBefore = sim.stats.packetsOut;
    // "unhappy" cannot be reached while running on ESP32's Ethernet (see matrix.test.ts, XS_PHASES).
    for (const phase of ["connected", "no-link"] as Phase[]) {
      if (phase !== "connected") await phaseTo(harness, phase);
      const phaseRows = rows.filter((row) => row.phase === phase);
      const results = (await harness.request("matrix-rows", { rows: phaseRows, skipExternal: false })) as RowResult[];
      check(phaseRows, results, { ...opened, onLoopback: false }, tally);
    }
    await phaseTo(harness, "connected");
    await harness.request("matrix-close");
    const matrixOut = sim.stats.packetsOut - outBefore;
    if (matrixOut !== tally.sent) failures.push(`matrix: ${matrixOut} datagrams out for ${tally.sent} accepted sends`);
    failures.push(...tally.failures);

    // Send fuzz over every kind of address: refused calls send nothing, accepted ones one datagram each.
    // The interface is ADDRESS/24: a private address outside it is refused too.
    // Port 0 is left out for accepted destinations: a known simulator bug (see security.test.ts).
    const subnet: Subnet = { address, prefix: 24 };
    const cases = fc
      .sample(fc.tuple(addressArbitraryFor(subnet), portArbitrary), { seed: SIZES.seed() + 4, numRuns: fuzzCount * 2 })
      .filter(([a, p]) => !(referenceOutcome(a, p, subnet) === "sent" && p === 0))
      .slice(0, fuzzCount);
    await harness.request("ratelimit", { on: false }); // the matrix ran with the limiter on; the fuzz counts every accepted send
    const fuzzOutBefore = sim.stats.packetsOut;
    const tallyFuzz: Record<string, number> = {};
    for (let start = 0; start < cases.length; start += 1000) {
      const batch = cases.slice(start, start + 1000);
      const answer = (await harness.request("sendfuzz", { cases: batch.map(([a, p]) => ({ address: encode(a), port: encode(p), data: "x" })) })) as {
        outcomes: string[];
        unboundPort: number;
      };
      batch.forEach(([a, p], i) => {
        const want = referenceOutcome(a, p, subnet);
        for (const got of answer.outcomes.slice(2 * i, 2 * i + 2)) {
          const normal = got === "ok:0" ? "sent" : got;
          tallyFuzz[normal] = (tallyFuzz[normal] ?? 0) + 1;
          if (normal !== want) failures.push(`send(${JSON.stringify(encode(a))}, ${JSON.stringify(encode(p))}): ${got}, reference ${want}`);
        }
      });
    }
    await harness.request("ping");
    const fuzzOut = sim.stats.packetsOut - fuzzOutBefore;
    const loopbackCases = cases.filter(([a]) => octets(a)?.[0] === 127).length;
    if (fuzzOut !== (tallyFuzz.sent ?? 0)) failures.push(`fuzz: ${fuzzOut} datagrams out for ${tallyFuzz.sent ?? 0} accepted sends`);
    if (harness.crashes.length > 0) failures.push(`crash: ${harness.crashes[0]}`);
    console.log(
      JSON.stringify({
        matrix: { checked: tally.checked, skipped: tally.skipped, skipReasons: [...tally.skipReasons], sent: tally.sent, out: matrixOut },
        fuzz: { cases: cases.length, outcomes: tallyFuzz, out: fuzzOut, loopbackCases },
        failures: failures.slice(0, 50),
        failureCount: failures.length,
      }),
    );
  } finally {
    await harness.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.log(JSON.stringify({ failures: [`runner: ${(error as Error).stack ?? error}`], failureCount: 1 }));
    process.exit(1);
  },
);
