/**
 * Bad-input matrix (issue "Reliability and security", item 1). The rows of
 * matrix-table.ts run through the same executor (matrix-exec.ts) in three
 * places:
 *
 * - the fake network with the interface on a private LAN (impOS's strict
 *   private-address rule),
 * - the fake network with the interface on loopback (the simulator's
 *   documented loopback allowance),
 * - inside XS through the simulator (interface on a loopback address), the table
 *   sent as JSON through `sim.agent`.
 *
 * Every row must give the documented exception (class and exact message) or
 * return value, and leave the device as it was: same bound ports, same
 * platform endpoints, same rate-limiter tokens (the limiter is on), same
 * interface state, the fixture sockets as they were; refused openudp calls
 * leave their port free. Accepted sends go to the device itself and are
 * counted on arrival. Then the re-entrancy scenarios: calls made from inside
 * receive callbacks.
 */
import test, { type ExecutionContext } from "ava";
import { Blob } from "../../modules/impnet/core/blob";
import { isLoopbackIPv4, isPrivateIPv4, parseIPv4 } from "../../modules/impnet/core/address";
import { connectedDevice, deliver, tokens, waitConnected } from "../support/device";
import { UdpClient } from "../support/sim";
import { HANG_GUARD_MS } from "../support/wait";
import { ADDRESS, sleep, until } from "./common";
import { startHarness, type Harness } from "./harness";
import { FIXTURE_PORT, matrixRows, type MatrixWhere, type Phase, type Row } from "./matrix-table";
import { check, newTally, type Tally } from "./matrix-check";
import {
  armScenarios,
  BARRIER_PORT,
  closeFixtures,
  finishScenarios,
  openFixtures,
  runRows,
  scenarioPort,
  SCENARIOS,
  type MatrixEnv,
  type RowResult,
  type ScenarioReport,
  type Snapshot,
} from "./matrix-exec";

const ROWS = matrixRows();
const PHASES: Phase[] = ["connected", "no-link", "unhappy"];
/**
 * Inside XS, eth0 runs on the emulated ECMA-419 Ethernet, which (as on ESP32)
 * reaches ETHERNET_STOPPED_UNHAPPY only when the driver fails to install at
 * start, never while running (docs/esp32.md §2): the "unhappy" rows run on
 * the fake network only.
 */
const XS_PHASES: Phase[] = ["connected", "no-link"];

function report(t: ExecutionContext, engine: string, tally: Tally): void {
  const skips = [...tally.skipReasons].map(([reason, n]) => `${n} × ${reason}`).join("; ");
  t.log(`bad-input matrix (${engine}): ${tally.checked} cases checked, ${tally.sent} of them accepted sends; ${tally.skipped} skipped${skips === "" ? "" : ` (${skips})`}`);
  t.deepEqual(tally.failures, [], `${tally.failures.length} rows differ:\n${tally.failures.slice(0, 40).join("\n")}`);
}

// ---------------------------------------------------------------- fake network

function fakeMatrix(t: ExecutionContext, onLoopback: boolean): void {
  const address = onLoopback ? "127.0.0.20" : "192.168.1.10"; // the fake network's own addresses
  const device = connectedDevice(
    { interface: "eth0" },
    { interfaces: [{ name: "eth0", kind: "ethernet", address, netmask: onLoopback ? "255.0.0.0" : "255.255.255.0" }], options: { rateLimit: true } },
  );
  const { world, runtime, iface } = device;
  const env: MatrixEnv = {
    imp: device.imp,
    server: device.server,
    agent: device.agent,
    Blob,
    iface,
    counters: () => ({ ports: [...runtime.ports.keys()].sort((a, b) => a - b), endpoints: world.device.boundPorts().length, tokens: tokens(runtime) }),
  };
  const link = world.device.link("eth0");
  const fixtures = openFixtures(env);
  const where: MatrixWhere = { self: address, prefix: onLoopback ? 8 : 24, onLoopback };
  t.is(fixtures.prefix, where.prefix);
  const tally: Tally = newTally();
  const statesBefore = device.states.length;
  const phaseStates: number[] = [];
  for (const phase of PHASES) {
    if (phase === "no-link") link.set("no-link");
    if (phase === "unhappy") link.set("unhappy");
    world.lan.clock.flush();
    phaseStates.push(iface.getstate());
    const mark = device.states.length;
    const rows = ROWS.filter((row) => row.phase === phase);
    check(rows, runRows(env, fixtures, rows, { skipExternal: false }), where, tally);
    deliver(world, 20);
    t.is(device.states.length, mark, `no state callback during the ${phase} rows (a refused imp.net.open must not re-announce)`);
  }
  t.deepEqual(phaseStates, [1, 204, 203]);
  link.reconnect();
  waitConnected(world, iface);
  deliver(world, 20);
  t.deepEqual(device.states.slice(statesBefore), [204, 203, 200, 201, 1]);

  // What reached the network: exactly the accepted sends, none to a forbidden place.
  t.is(world.device.sent.length, tally.sent, "one datagram per accepted send, none for refused calls");
  // On the LAN only the interface's own subnet (192.168.1.0/24); on loopback, private and 127/8 addresses.
  const allowed = (to: string): boolean => {
    const value = parseIPv4(to);
    return value >= 0 && (onLoopback ? isPrivateIPv4(value) || isLoopbackIPv4(value) : value >>> 8 === 0xc0a801);
  };
  t.deepEqual(world.lan.wire.filter((d) => !allowed(d.to) || d.toPort === 67 || d.toPort === 68 || d.fromPort === 67 || d.fromPort === 68), []);
  // Sends to the device's own address, or to its own subnet broadcast (the fake LAN delivers those back too).
  const backToFixture = world.device.sent.filter((d) => d.toPort === FIXTURE_PORT && link.accepts(d)).length;
  t.true(backToFixture >= tally.toFixture);
  t.is(fixtures.received, backToFixture, "the fixture socket got every accepted send addressed to it");
  closeFixtures(fixtures);
  t.deepEqual(world.device.boundPorts(), [], "no endpoint left behind");
  report(t, `fake network, interface on ${onLoopback ? "loopback" : "a private LAN"}`, tally);
}

test("bad-input matrix on the fake network (private LAN)", (t) => fakeMatrix(t, false));
test("bad-input matrix on the fake network (loopback interface)", (t) => fakeMatrix(t, true));

test("the matrix checks can fail: a wrong message, a changed state and a taken port are reported", (t) => {
  const LAN: MatrixWhere = { self: "192.168.1.10", prefix: 24, onLoopback: false };
  const row = ROWS.find((r) => r.id === 'connected sock.send(<self>, 67, "x")') as Row;
  const before: Snapshot = { ports: [20101], endpoints: 1, tokens: 100, state: 1, interfaces: 1, sockOpen: true, unboundOpen: true, unboundPort: 0, closedOpen: false };
  const tally = newTally;
  const good = tally();
  check([row], [{ id: row.id, outcome: { threw: "RangeError", message: "send: port 67 is reserved for DHCP/BOOTP" }, before, after: before }], LAN, good);
  t.deepEqual(good.failures, []);
  const offSubnet = ROWS.find((r) => r.id === 'connected sock.send(<subnet below>, <fixture-port>, "x")') as Row;
  const subnetGood = tally();
  const subnetMessage = "send: address 192.168.0.255 is outside eth0's subnet 192.168.1.0/24";
  check([offSubnet], [{ id: offSubnet.id, outcome: { threw: "RangeError", message: subnetMessage }, before, after: before }], LAN, subnetGood);
  t.deepEqual(subnetGood.failures, [], "the {address} and {subnet} placeholders are filled in from where the matrix runs");
  const elsewhere = tally();
  check([offSubnet], [{ id: offSubnet.id, outcome: { threw: "RangeError", message: subnetMessage }, before, after: before }], { ...LAN, self: "10.79.100.1" }, elsewhere);
  t.is(elsewhere.failures.length, 1, "the same message is wrong for an interface on another subnet");
  const wrongMessage = tally();
  check([row], [{ id: row.id, outcome: { threw: "RangeError", message: "nope" }, before, after: before }], LAN, wrongMessage);
  t.is(wrongMessage.failures.length, 1);
  const spent = tally();
  check([row], [{ id: row.id, outcome: { threw: "RangeError", message: "send: port 67 is reserved for DHCP/BOOTP" }, before, after: { ...before, tokens: 99 } }], LAN, spent);
  t.regex(spent.failures[0], /state changed/);
  const probeRow = ROWS.find((r) => r.probe?.free === true) as Row;
  const taken = tally();
  const expect = probeRow.expect;
  check([probeRow], [{ id: probeRow.id, outcome: { threw: expect.throws as string, message: expect.message as string }, before, after: before, probe: false }], LAN, taken);
  t.regex(taken.failures[0], /no longer free/);
});

// ---------------------------------------------------------------- XS

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

test.serial("bad-input matrix inside XS (simulator, interface on loopback)", async (t) => {
  const harness = await startHarness({ address: ADDRESS.matrix, rateLimit: true });
  try {
    const sim = harness.sim;
    await harness.request("ping");
    const baseline = { osSockets: sim.stats.osSockets, xsSockets: sim.stats.xsSockets, heap: await sim.heap() };
    const opened = (await harness.request("matrix-open")) as { self: string; prefix: number };
    t.is(opened.self, ADDRESS.matrix);
    const where: MatrixWhere = { ...opened, onLoopback: true };
    const tally: Tally = newTally();
    const outBefore = sim.stats.packetsOut;
    const inBefore = sim.stats.packetsIn;
    for (const phase of XS_PHASES) {
      if (phase !== "connected") await phaseTo(harness, phase);
      const rows = ROWS.filter((row) => row.phase === phase);
      const mark = harness.states.length;
      const results = (await harness.request("matrix-rows", { rows })) as RowResult[];
      check(rows, results, where, tally);
      // The sends to itself must arrive before the link goes down (else they are dropped, as on a device).
      await until(() => sim.stats.packetsIn - inBefore >= tally.toFixture, "the self-addressed datagrams").catch(() => undefined);
      // A refused imp.net.open must not re-announce the state later.
      await harness.request("ping");
      t.is(harness.states.length, mark, `no state callback during the ${phase} rows`);
    }
    await phaseTo(harness, "connected");
    t.is(sim.stats.packetsOut - outBefore, tally.sent, "one datagram per accepted send, none for refused calls");
    t.is(sim.stats.droppedLinkDown, 0);
    const closed = (await harness.request("matrix-close")) as { received: number };
    t.is(closed.received, tally.toFixture, "the fixture socket got every accepted send addressed to it");
    await harness.request("ping");
    t.is(sim.stats.osSockets, baseline.osSockets, "OS sockets back to the baseline");
    t.is(sim.stats.xsSockets, baseline.xsSockets, "XS sockets back to the baseline");
    t.deepEqual(harness.crashes, []);
    // server.error rows print one line each; nothing else may have gone to server.error.
    const errorRows = ROWS.filter((row) => row.target === "server" && row.method === "error").length;
    t.is(harness.errors.length, errorRows, `server.error lines: ${harness.errors.filter((l) => /threw|reopen/.test(l)).join("\n")}`);
    t.log(`XS heap: ${baseline.heap} slots at the start, ${await sim.heap()} after the matrix`);
    report(t, "XS, interface on loopback", tally);
  } finally {
    await harness.stop();
  }
});

// ---------------------------------------------------------------- re-entrant calls from callbacks

function checkScenarios(t: ExecutionContext, engine: string, reports: Record<string, ScenarioReport>, errors: string[], echoes: number): void {
  let expectedEchoes = 0;
  const expectedErrors: string[] = [];
  for (const scenario of SCENARIOS) {
    t.deepEqual(reports[scenario.id], scenario.expect, `${engine}: ${scenario.id}: ${scenario.what}`);
    expectedErrors.push(...scenario.errors);
    expectedEchoes += scenario.echoes;
  }
  t.is(errors.length, expectedErrors.length, `${engine}: server.error lines:\n${errors.join("\n")}`);
  expectedErrors.forEach((prefix, i) => t.true((errors[i] ?? "").startsWith(prefix), `${engine}: error #${i} "${errors[i]}" should start with "${prefix}"`));
  t.is(echoes, expectedEchoes, `${engine}: echoes sent from inside callbacks`);
  t.log(`re-entrancy (${engine}): ${SCENARIOS.length} scenarios, ${SCENARIOS.reduce((n, s) => n + s.stages.reduce((a, b) => a + b, 0), 0)} datagrams`);
}

test("re-entrant calls from receive callbacks (fake network)", (t) => {
  const device = connectedDevice({ interface: "eth0" }, { interfaces: [{ name: "eth0", kind: "ethernet" }] });
  const { world, runtime, iface } = device;
  const env: MatrixEnv = {
    imp: device.imp,
    server: device.server,
    agent: device.agent,
    Blob,
    iface,
    counters: () => ({ ports: [...runtime.ports.keys()], endpoints: world.device.boundPorts().length, tokens: tokens(runtime) }),
  };
  const state = armScenarios(env);
  const peer = world.lan.peer("192.168.1.50", 5000);
  for (const scenario of SCENARIOS) {
    for (const count of scenario.stages) {
      for (let i = 0; i < count; i++) peer.send("192.168.1.10", scenarioPort(scenario.id), `poke ${i}`);
      deliver(world);
    }
  }
  const reports = finishScenarios(env, state);
  checkScenarios(t, "fake", reports, world.log.errors, peer.received.length);
  t.deepEqual(world.device.boundPorts(), []);
});

test.serial("re-entrant calls from receive callbacks (XS)", async (t) => {
  const harness = await startHarness({ address: ADDRESS.matrix });
  const client = await UdpClient.open(ADDRESS.peers[0]);
  try {
    const errorsBefore = harness.errors.length;
    const socketsBefore = harness.sim.stats.osSockets;
    await harness.request("scenarios-arm");
    let barriers = 0;
    for (const scenario of SCENARIOS) {
      for (const count of scenario.stages) {
        for (let i = 0; i < count; i++) await client.send(`poke ${i}`, scenarioPort(scenario.id), ADDRESS.matrix);
        await client.send("barrier", BARRIER_PORT, ADDRESS.matrix);
        barriers++;
        // The barrier datagram arrives after the pokes: once it is counted, the pokes were handled.
        let seen = 0;
        const deadline = Date.now() + HANG_GUARD_MS;
        while (seen < barriers && Date.now() < deadline) {
          seen = (await harness.request("scenarios-barrier")) as number;
          if (seen < barriers) await sleep(2);
        }
        t.is(seen, barriers, `barrier after ${scenario.id}`);
      }
    }
    const reports = (await harness.request("scenarios-finish")) as Record<string, ScenarioReport>;
    const echoes = SCENARIOS.reduce((n, scenario) => n + scenario.echoes, 0);
    await until(() => client.replies.length >= echoes, "the echoes sent from inside callbacks").catch(() => undefined);
    checkScenarios(t, "XS", reports, harness.errors.slice(errorsBefore), client.replies.length);
    await harness.request("ping");
    t.is(harness.sim.stats.osSockets, socketsBefore, "every scenario socket released");
    t.deepEqual(harness.crashes, []);
  } finally {
    client.close();
    await harness.stop();
  }
});

// Fixed simulator bug, kept as a regression test: the supervisor learned of a close only from
// the command's reply, after the synchronous bind of the new socket ("already in use").
test.serial("inside XS, a callback can close its socket and reopen the same port at once", async (t) => {
  const scenario = SCENARIOS.find((s) => s.id === "close-and-rebind") as (typeof SCENARIOS)[number];
  const harness = await startHarness({ address: ADDRESS.matrix });
  const client = await UdpClient.open(ADDRESS.peers[0]);
  try {
    await harness.request("scenarios-arm");
    let barriers = 0;
    for (const count of scenario.stages) {
      for (let i = 0; i < count; i++) await client.send(`poke ${i}`, scenarioPort(scenario.id), ADDRESS.matrix);
      await client.send("barrier", BARRIER_PORT, ADDRESS.matrix);
      barriers++;
      const deadline = Date.now() + HANG_GUARD_MS;
      while (((await harness.request("scenarios-barrier")) as number) < barriers && Date.now() < deadline) await sleep(2);
    }
    const reports = (await harness.request("scenarios-finish")) as Record<string, ScenarioReport>;
    t.deepEqual(reports[scenario.id], scenario.expect);
  } finally {
    client.close();
    await harness.stop();
  }
});
