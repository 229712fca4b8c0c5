/**
 * The reliability soak (issue "Reliability and security", items 3–5):
 *
 *   npm run soak -- [--minutes N] [--flaps N] [--flood N] [--fuzz-scale K]
 *                   [--skip-big] [--skip-fuzz] [--json FILE]
 *
 * 1. The big versions of the CI scenarios, in this process: --flaps link
 *    faults under echo traffic (default 1 000) and a receive flood of
 *    --flood datagrams (default 1 000 000), with their figures.
 * 2. The fuzz suites (blob-fuzz, receive-fuzz, security) through ava with
 *    every IMPNET_FUZZ_* size multiplied by --fuzz-scale (default 5).
 * 3. A timed loop of --minutes (default 5): echo traffic all the time; each
 *    cycle adds link flaps, XS Blob sequences checked against the model, XS
 *    send fuzz checked against the reference rule, random datagrams echoed
 *    byte for byte, and the bad-input matrix's connected rows. After each
 *    cycle the XS heap (live slots after a collection), sockets and timers
 *    must be back at their baseline. One line per cycle.
 *
 * Exits non-zero when anything failed. Uses loopback addresses only
 * (tests/reliability/common.ts ADDRESS: 127.X.Y.25–29, drawn per run).
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { UdpClient, root } from "../tests/support/sim";
import { runSequence, type Sequence } from "../tests/reliability/blob-ops";
import { firstDifference, modelSequence, sequenceArbitrary } from "../tests/reliability/blob-model";
import { encode } from "../tests/reliability/codec";
import { ADDRESS, illegalTransitions, mib, SIZES } from "../tests/reliability/common";
import { sizeArbitrary } from "../tests/reliability/datagrams";
import { appStats, startHarness, type Harness } from "../tests/reliability/harness";
import { check, newTally } from "../tests/reliability/matrix-check";
import type { RowResult } from "../tests/reliability/matrix-exec";
import { matrixRows } from "../tests/reliability/matrix-table";
import { EchoTraffic, resources, runEchoFuzz, runFlaps, runFlood, type Resources } from "../tests/reliability/scenarios";
import { addressArbitrary, octets, portArbitrary, referenceOutcome, referencePrivate } from "../tests/reliability/send-reference";

interface Options {
  minutes: number;
  flaps: number;
  flood: number;
  fuzzScale: number;
  skipBig: boolean;
  skipFuzz: boolean;
  json: string | undefined;
}

function parse(argv: string[]): Options {
  const options: Options = { minutes: 5, flaps: 1000, flood: 1_000_000, fuzzScale: 5, skipBig: false, skipFuzz: false, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = (): number => {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${arg} needs a number >= 0`);
      return value;
    };
    if (arg === "--minutes") options.minutes = number();
    else if (arg === "--flaps") options.flaps = Math.floor(number());
    else if (arg === "--flood") options.flood = Math.floor(number());
    else if (arg === "--fuzz-scale") options.fuzzScale = number();
    else if (arg === "--skip-big") options.skipBig = true;
    else if (arg === "--skip-fuzz") options.skipFuzz = true;
    else if (arg === "--json") options.json = argv[++i];
    else if (arg === "--help" || arg === "-h") {
      console.log("usage: npm run soak -- [--minutes N] [--flaps N] [--flood N] [--fuzz-scale K] [--skip-big] [--skip-fuzz] [--json FILE]");
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

const failures: string[] = [];
const summary: Record<string, unknown> = {};

function fail(what: string): void {
  failures.push(what);
  console.log(`  FAIL ${what}`);
}

function expect(condition: boolean, what: string): void {
  if (!condition) fail(what);
}

function say(line: string): void {
  console.log(line);
}

function resourceLine(r: Resources): string {
  return `heap ${r.heap} slots, sockets OS ${r.osSockets} XS ${r.xsSockets}, XS timers ${r.xsTimers}, Node RSS ${mib(r.nodeRss)} (V8 heap ${mib(r.nodeHeap)}), XS RSS ${mib(r.xsRss)}`;
}

// ---------------------------------------------------------------- 1. the big versions

async function bigFlaps(count: number): Promise<void> {
  say(`\n== ${count} link flaps under echo traffic (XS simulator, ${ADDRESS.soakFlaps})`);
  const harness = await startHarness({ address: ADDRESS.soakFlaps });
  const traffic = await EchoTraffic.start(ADDRESS.peers[1], ADDRESS.soakFlaps, harness.echoPort);
  try {
    await traffic.pause();
    const before = await resources(harness);
    traffic.resume();
    const started = Date.now();
    const result = await runFlaps(harness, traffic, count, SIZES.seed(), (done) => {
      if (done % 100 === 0) process.stdout.write(`  ${done} flaps (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    });
    await traffic.pause();
    const after = await resources(harness);
    say(`  flaps survived: ${result.flaps} (${Object.entries(result.byKind).map(([k, n]) => `${k} ${n}`).join(", ")})`);
    say(`  echo recovered after ${result.recovered} of them; ${result.states} states, illegal transitions: ${result.illegal.length}`);
    say(`  echo traffic: ${result.echo.sent} sent, ${result.echo.echoed} echoed, ${result.echo.corrupt} corrupt`);
    say(`  before: ${resourceLine(before)}`);
    say(`  after:  ${resourceLine(after)}; XS heap high-water ${harness.sim.stats.heapHighWater} slots`);
    summary.flaps = { ...result, app: undefined, before, after, heapHighWater: harness.sim.stats.heapHighWater };
    expect(result.illegal.length === 0, `illegal state transitions: ${result.illegal.slice(0, 5).join(", ")}`);
    expect(result.recovered === count, `echo recovered after ${result.recovered} of ${count} flaps`);
    expect(after.heap <= before.heap + 64, `XS heap ${before.heap} → ${after.heap} after the flaps`);
    expect(after.osSockets === before.osSockets && after.xsSockets === before.xsSockets && after.xsTimers === before.xsTimers, "sockets or timers leaked");
    expect(harness.errors.length === 0 && harness.crashes.length === 0, `errors: ${[...harness.errors, ...harness.crashes].slice(0, 3).join(" | ")}`);
  } finally {
    traffic.stop();
    await harness.stop();
  }
}

async function bigFlood(count: number): Promise<void> {
  say(`\n== receive flood of ${count} datagrams (XS simulator, ${ADDRESS.soakFlood})`);
  const harness = await startHarness({ address: ADDRESS.soakFlood });
  try {
    const r = await runFlood(harness, ADDRESS.peers[0], count);
    say(`  ${r.sent} sent in ${(r.durationMs / 1000).toFixed(1)} s (${Math.round(r.sent / (r.durationMs / 1000))}/s), ${r.senderErrors} send errors`);
    say(`  delivered to the callback ${r.delivered}; dropped by the simulator's queue limit ${r.droppedQueueFull}; dropped by the OS (socket buffer full) ${r.droppedKernel}`);
    say(`  XS heap ${r.heapBefore} → ${r.heapAfter} slots after gc; high-water ${r.heapHighWater} slots; XS heap reserved ${mib(r.xsAllocate)}`);
    say(`  peak RSS: XS engine ${mib(r.xsRssPeak)}, Node (supervisor + this runner) ${mib(r.nodeRssPeak)}; the app answers afterwards: ${r.answeredAfter}`);
    summary.flood = r;
    expect(r.sent - r.senderErrors === r.delivered + r.droppedQueueFull + r.droppedKernel, "datagrams unaccounted for");
    expect(r.answeredAfter, "the app did not answer after the flood");
    expect(Math.abs(r.heapAfter - r.heapBefore) <= 64, `XS heap ${r.heapBefore} → ${r.heapAfter}`);
    expect(harness.crashes.length === 0, "the app crashed");
  } finally {
    await harness.stop();
  }
}

// ---------------------------------------------------------------- 2. the fuzz suites, scaled

function bigFuzz(scale: number): void {
  const sizes: Record<string, number> = {
    IMPNET_FUZZ_BLOB: Math.round(SIZES.blobRuns() * scale),
    IMPNET_FUZZ_RECEIVE: Math.round(SIZES.receiveRuns() * scale),
    IMPNET_FUZZ_SEND: Math.round(SIZES.sendRuns() * scale),
    IMPNET_FUZZ_XS_BLOB: Math.round(SIZES.xsBlobSequences() * scale),
    IMPNET_FUZZ_XS_RECEIVE: Math.round(SIZES.xsDatagrams() * scale),
    IMPNET_FUZZ_XS_SEND: Math.round(SIZES.xsSends() * scale),
  };
  say(`\n== fuzz suites ×${scale}: ${Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  const files = ["tests/reliability/blob-fuzz.test.ts", "tests/reliability/receive-fuzz.test.ts", "tests/reliability/security.test.ts"];
  const run = spawnSync(process.execPath, [`${root}/node_modules/ava/entrypoints/cli.mjs`, "--timeout=60m", "--concurrency=1", ...files], {
    cwd: root,
    env: { ...process.env, ...Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, String(v)])) },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const out = `${run.stdout}${run.stderr}`;
  const lines = out.split("\n").filter((line) => /ℹ|✔|✘|passed|failed|known failure/.test(line));
  for (const line of lines) say(`  ${line.trim()}`);
  summary.fuzz = { sizes, lines: lines.map((l) => l.trim()) };
  expect(run.status === 0, `the fuzz suites failed (ava exit ${run.status})`);
}

// ---------------------------------------------------------------- 3. the timed loop

interface CycleFigures {
  cycle: number;
  seconds: number;
  heap: number;
  flaps: number;
  blobSequences: number;
  sendCases: number;
  datagrams: number;
  matrixCases: number;
}

async function cycle(harness: Harness, traffic: EchoTraffic, fuzzClient: UdpClient, n: number, totals: CycleFigures): Promise<void> {
  const seed = SIZES.seed() + 1000 * n;
  // Link faults while the echo traffic runs.
  const flaps = await runFlaps(harness, traffic, 5, seed);
  totals.flaps += flaps.flaps;
  expect(flaps.recovered === flaps.flaps, `cycle ${n}: echo recovered after ${flaps.recovered} of ${flaps.flaps} flaps`);
  // Blob sequences inside XS against the model.
  const sequences = fc.sample(sequenceArbitrary(), { seed, numRuns: 200 }) as Sequence[];
  const results = (await harness.request("blob", { sequences })) as ReturnType<typeof runSequence>[];
  sequences.forEach((sequence, i) => {
    const difference = firstDifference(sequence, results[i], modelSequence(sequence));
    if (difference !== null) fail(`cycle ${n}: XS blob ${JSON.stringify(sequence)}: ${difference}`);
  });
  totals.blobSequences += sequences.length;
  // Send fuzz inside XS: every call refused, nothing out.
  const refusable = fc.tuple(addressArbitrary, portArbitrary).filter(([address]) => {
    const o = octets(address);
    return !(o !== null && (referencePrivate(address) || o[0] === 127));
  });
  const cases = fc.sample(refusable, { seed, numRuns: 500 });
  const sendAnswer = (await harness.request("sendfuzz", { cases: cases.map(([address, port]) => ({ address: encode(address), port: encode(port), data: "x" })) })) as {
    outcomes: string[];
    unboundPort: number;
  };
  cases.forEach(([address, port], i) => {
    const want = referenceOutcome(address, port);
    for (const got of sendAnswer.outcomes.slice(2 * i, 2 * i + 2)) if (got !== want) fail(`cycle ${n}: XS send(${JSON.stringify(encode(address))}, ${JSON.stringify(encode(port))}): ${got}, want ${want}`);
  });
  expect(sendAnswer.unboundPort === 0, `cycle ${n}: a refused send bound a port`);
  totals.sendCases += cases.length;
  // Random datagrams echoed byte for byte.
  const datagrams = fc.sample(fc.record({ size: sizeArbitrary, seed: fc.integer(), client: fc.constant(0) }), { seed, numRuns: 200 });
  const echo = await runEchoFuzz(harness, [fuzzClient], datagrams);
  expect(echo.mismatched.length === 0 && echo.strangers === 0, `cycle ${n}: random datagrams not echoed intact`);
  totals.datagrams += echo.sent;
  // The bad-input matrix, connected rows.
  const rows = matrixRows().filter((row) => row.phase === "connected");
  const opened = (await harness.request("matrix-open")) as { self: string; prefix: number };
  const tally = newTally();
  check(rows, (await harness.request("matrix-rows", { rows })) as RowResult[], { ...opened, onLoopback: true }, tally);
  await harness.request("matrix-close");
  expect(tally.failures.length === 0, `cycle ${n}: matrix: ${tally.failures.slice(0, 3).join(" | ")}`);
  totals.matrixCases += tally.checked;
}

async function loop(minutes: number): Promise<void> {
  say(`\n== soak loop for ${minutes} min: echo traffic + flaps + XS fuzz + matrix (XS simulator, ${ADDRESS.soak})`);
  const harness = await startHarness({ address: ADDRESS.soak });
  const traffic = await EchoTraffic.start(ADDRESS.peers[1], ADDRESS.soak, harness.echoPort, 5);
  const fuzzClient = await UdpClient.open(ADDRESS.peers[0]);
  const started = Date.now();
  const totals: CycleFigures = { cycle: 0, seconds: 0, heap: 0, flaps: 0, blobSequences: 0, sendCases: 0, datagrams: 0, matrixCases: 0 };
  const history: { cycle: number; seconds: number; resources: Resources }[] = [];
  try {
    // Cycle 0 warms up what fills once (caches); its end is the baseline.
    await cycle(harness, traffic, fuzzClient, 0, totals);
    // Measured with the echo traffic paused, so that no datagram is in flight inside XS.
    const measure = async (): Promise<Resources> => {
      await traffic.pause();
      const r = await resources(harness);
      traffic.resume();
      return r;
    };
    const baseline = await measure();
    history.push({ cycle: 0, seconds: (Date.now() - started) / 1000, resources: baseline });
    say(`  baseline after the warm-up cycle: ${resourceLine(baseline)}`);
    say(`  cycle  time(s)  heap   Δheap  OS/XS sockets  timers  Node RSS   V8 heap    XS RSS    flaps  blob-seq  send-cases  datagrams  matrix  echo sent/echoed`);
    let n = 1;
    while (Date.now() - started < minutes * 60_000) {
      await cycle(harness, traffic, fuzzClient, n, totals);
      const r = await measure();
      const seconds = (Date.now() - started) / 1000;
      history.push({ cycle: n, seconds, resources: r });
      say(
        `  ${String(n).padStart(5)}  ${seconds.toFixed(0).padStart(7)}  ${String(r.heap).padStart(5)}  ${String(r.heap - baseline.heap).padStart(5)}  ` +
          `${`${r.osSockets}/${r.xsSockets}`.padStart(13)}  ${String(r.xsTimers).padStart(6)}  ${mib(r.nodeRss).padStart(9)}  ${mib(r.nodeHeap).padStart(9)}  ${mib(r.xsRss).padStart(8)}  ` +
          `${String(totals.flaps).padStart(6)}  ${String(totals.blobSequences).padStart(8)}  ${String(totals.sendCases).padStart(10)}  ${String(totals.datagrams).padStart(9)}  ${String(totals.matrixCases).padStart(6)}  ${traffic.sent}/${traffic.echoed}`,
      );
      expect(r.heap <= baseline.heap + 64, `cycle ${n}: XS heap ${r.heap} is not back at its baseline ${baseline.heap}`);
      expect(r.osSockets === baseline.osSockets && r.xsSockets === baseline.xsSockets, `cycle ${n}: sockets ${r.osSockets}/${r.xsSockets}, baseline ${baseline.osSockets}/${baseline.xsSockets}`);
      expect(r.xsTimers === baseline.xsTimers, `cycle ${n}: XS timers ${r.xsTimers}, baseline ${baseline.xsTimers}`);
      n++;
    }
    const stats = await appStats(harness);
    const illegal = illegalTransitions(harness.states);
    say(`  ${n - 1} cycles after the warm-up; states ${harness.states.length}, illegal transitions ${illegal.length}; echo traffic ${traffic.sent} sent, ${traffic.echoed} echoed, ${traffic.corrupt} corrupt`);
    say(`  XS heap high-water ${harness.sim.stats.heapHighWater} slots; app: ${stats.opens} opens, ${stats.closes} closes, ${stats.received} datagrams received`);
    expect(illegal.length === 0, `illegal transitions: ${illegal.slice(0, 5).join(", ")}`);
    expect(traffic.corrupt === 0, "corrupt echoes");
    expect(harness.crashes.length === 0, `crash: ${harness.crashes[0]}`);
    // The matrix's server.error rows print one line each per cycle; nothing else may reach server.error.
    const errorRows = matrixRows().filter((row) => row.phase === "connected" && row.target === "server" && row.method === "error").length;
    expect(harness.errors.length === n * errorRows, `server.error printed ${harness.errors.length} lines, expected ${n * errorRows} (matrix rows)`);
    summary.loop = { totals, cycles: n - 1, history, heapHighWater: harness.sim.stats.heapHighWater, echo: { sent: traffic.sent, echoed: traffic.echoed } };
  } finally {
    traffic.stop();
    fuzzClient.close();
    await harness.stop();
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const started = Date.now();
  say(`impnet reliability soak: ${options.skipBig ? "" : `${options.flaps} flaps, ${options.flood} flooded datagrams, `}${options.skipFuzz ? "" : `fuzz ×${options.fuzzScale}, `}${options.minutes} min loop (seed ${SIZES.seed()})`);
  if (!options.skipBig) {
    await bigFlaps(options.flaps);
    await bigFlood(options.flood);
  }
  if (!options.skipFuzz) bigFuzz(options.fuzzScale);
  if (options.minutes > 0) await loop(options.minutes);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  summary.failures = failures;
  if (options.json !== undefined) writeFileSync(options.json, JSON.stringify(summary, null, 2));
  if (failures.length > 0) {
    say(`\nsoak FAILED after ${seconds} s: ${failures.length} problem(s)`);
    for (const line of failures.slice(0, 20)) say(`  - ${line}`);
    process.exit(1);
  }
  say(`\nsoak passed in ${seconds} s`);
  process.exit(0);
}

main().catch((error) => {
  console.error(`soak: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
