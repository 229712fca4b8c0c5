/**
 * Runs the bad-input matrix (matrix-table.ts) and the re-entrancy scenarios
 * against impnet's public objects, in whatever engine this runs in: Node
 * with the fake network, or XS inside the simulator (bundled into
 * apps/harness.ts). Records each call's outcome and the device state before
 * and after it; the Node-side tests compare them with the table.
 *
 * Plain ES2022, impnet's public API only; the engine supplies the counters
 * no public API shows (bound ports, platform endpoints, rate tokens).
 */
import type { Blob as BlobClass } from "../../../modules/impnet/core/blob";
import type { Imp, Server, Agent } from "../../../modules/impnet/core/runtime";
import type { NetInterface } from "../../../modules/impnet/core/interface";
import type { UdpSocket } from "../../../modules/impnet/core/udpsocket";
import { decode, encode, type Encoded } from "./codec";
import { CLOSED_PORT, FIXTURE_PORT, subnetAddress, type Row, type SubnetEdge } from "./matrix-table";

/** What the engine exposes to the executor. */
export interface MatrixEnv {
  imp: Imp;
  server: Server;
  agent: Agent;
  Blob: typeof BlobClass;
  iface: NetInterface;
  /** Counters from below the public API. */
  counters(): { ports: number[]; endpoints: number; tokens: number | null };
}

/** The device state a refused call must leave unchanged. */
export interface Snapshot {
  ports: number[];
  endpoints: number;
  tokens: number | null;
  state: number;
  interfaces: number;
  sockOpen: boolean;
  unboundOpen: boolean;
  unboundPort: number;
  closedOpen: boolean;
}

export type CallOutcome = { returned: Encoded } | { threw: string; message: string };

export interface BlobSnapshot {
  len: number;
  tell: number;
  bytes?: number[];
  digest?: number;
}

export interface RowResult {
  id: string;
  skipped?: string;
  outcome?: CallOutcome;
  before?: Snapshot;
  after?: Snapshot;
  /** Whether `row.probe.port` could be bound after the call. */
  probe?: boolean;
  blobBefore?: BlobSnapshot;
  blobAfter?: BlobSnapshot;
}

export interface Fixtures {
  /** The interface's own address and prefix length (taken while connected). */
  self: string;
  prefix: number;
  sock: UdpSocket;
  unbound: UdpSocket;
  closed: UdpSocket;
  /** Datagrams the fixture socket received (accepted sends to itself). */
  received: number;
}

/** Opens the fixture sockets; call while the interface is connected. */
export function openFixtures(env: MatrixEnv): Fixtures {
  const { address: self, netmask } = env.iface.getiptable().ipv4;
  if (self === undefined || netmask === undefined) throw new Error("matrix: the interface has no address or netmask (not connected?)");
  const prefix = netmask.split(".").reduce((bits, octet) => bits + Number(octet).toString(2).replace(/0/g, "").length, 0);
  const fixtures = { self, prefix, received: 0 } as Fixtures;
  fixtures.sock = env.iface.openudp(() => {
    fixtures.received++;
  }, FIXTURE_PORT);
  fixtures.unbound = env.iface.openudp(() => {});
  fixtures.closed = env.iface.openudp(() => {}, CLOSED_PORT);
  fixtures.closed.close();
  return fixtures;
}

export function closeFixtures(fixtures: Fixtures): void {
  fixtures.sock.close();
  fixtures.unbound.close();
}

function snapshot(env: MatrixEnv, fixtures: Fixtures): Snapshot {
  const counters = env.counters();
  const unbound = fixtures.unbound;
  return {
    ports: counters.ports,
    endpoints: counters.endpoints,
    tokens: counters.tokens,
    state: env.iface.getstate(),
    interfaces: env.imp.net.info().interface.length,
    sockOpen: fixtures.sock.isopen(),
    unboundOpen: fixtures.unbound.isopen(),
    unboundPort: unbound["port"],
    closedOpen: fixtures.closed.isopen(),
  };
}

function blobSnapshot(blob: BlobClass): BlobSnapshot {
  const bytes = blob.bytes();
  if (blob.len() > 64) {
    let h = 2166136261;
    for (let i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 16777619) >>> 0;
    }
    return { len: blob.len(), tell: blob.tell(), digest: h >>> 0 };
  }
  const list: number[] = [];
  for (let i = 0; i < bytes.length; i++) list.push(bytes[i]);
  return { len: blob.len(), tell: blob.tell(), bytes: list };
}

function argument(value: Encoded, env: MatrixEnv, fixtures: Fixtures): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    if (value.$ === "self") return fixtures.self;
    if (value.$ === "fixture-port") return FIXTURE_PORT;
    if (value.$ === "subnet") return subnetAddress(value.edge as SubnetEdge, fixtures.self, fixtures.prefix);
  }
  return decode(value, { Blob: env.Blob });
}

/** A returned value as the results carry it (a socket that should not exist is closed and named). */
function returned(value: unknown, env: MatrixEnv): Encoded {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const maybeSocket = value as { close?: unknown; isopen?: unknown };
    if (typeof maybeSocket.close === "function" && typeof maybeSocket.isopen === "function") {
      (value as UdpSocket).close();
      return { $: "socket" };
    }
    if (value instanceof env.Blob) return encode(value, env.Blob);
    if (Object.getPrototypeOf(value) !== Object.prototype) return { $: "object" };
  }
  return encode(value, env.Blob);
}

export interface RunOptions {
  /** Skip rows that would put a datagram on a real network outside the device (the simulator on this machine's loopback). */
  skipExternal: boolean;
}

/** Runs `rows` (all of one phase) in order. */
export function runRows(env: MatrixEnv, fixtures: Fixtures, rows: readonly Row[], options: RunOptions): RowResult[] {
  const results: RowResult[] = [];
  for (const row of rows) {
    if (options.skipExternal && row.external === true) {
      results.push({ id: row.id, skipped: "would send outside the device" });
      continue;
    }
    let receiver: unknown;
    let blob: BlobClass | undefined;
    switch (row.target) {
      case "imp.net":
        receiver = env.imp.net;
        break;
      case "imp":
        receiver = env.imp;
        break;
      case "server":
        receiver = env.server;
        break;
      case "agent":
        receiver = env.agent;
        break;
      case "iface":
        receiver = env.iface;
        break;
      case "sock":
        receiver = fixtures.sock;
        break;
      case "sock-unbound":
        receiver = fixtures.unbound;
        break;
      case "sock-closed":
        receiver = fixtures.closed;
        break;
      case "blob":
        blob = env.Blob.from(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
        blob.seek(3);
        receiver = blob;
        break;
      case "blob-full":
        blob = new env.Blob(524288);
        blob.seek(0, "e");
        receiver = blob;
        break;
      case "Blob":
        receiver = env.Blob;
        break;
    }
    const args = row.args.map((value) => argument(value, env, fixtures));
    const result: RowResult = { id: row.id };
    if (blob !== undefined) result.blobBefore = blobSnapshot(blob);
    result.before = snapshot(env, fixtures);
    try {
      let value: unknown;
      if (row.target === "Blob" && row.method === "new") value = Reflect.construct(env.Blob, args);
      else {
        const method = (receiver as Record<string, unknown>)[row.method];
        if (typeof method !== "function") throw new Error(`matrix: ${row.target} has no method ${row.method}`);
        value = Reflect.apply(method, receiver, args);
      }
      result.outcome = { returned: returned(value, env) };
    } catch (error) {
      result.outcome = error instanceof Error ? { threw: error.name, message: error.message } : { threw: "non-Error", message: String(error) };
    }
    result.after = snapshot(env, fixtures);
    if (blob !== undefined) result.blobAfter = blobSnapshot(blob);
    if (row.probe !== undefined) {
      try {
        env.iface.openudp(null, row.probe.port).close();
        result.probe = true;
      } catch {
        result.probe = false;
      }
    }
    results.push(result);
  }
  return results;
}

// ---------------------------------------------------------------- re-entrant calls from callbacks

/** Ports of the re-entrancy scenarios, and of the barrier socket that tells the harness its pokes were handled. */
export const BARRIER_PORT = 20109;
const SCENARIO_BASE_PORT = 20110;

export interface Scenario {
  id: string;
  what: string;
  /** Datagrams the harness sends to the scenario's port, stage by stage (each stage followed by a barrier). */
  stages: number[];
  /** What the scenario must have recorded at the end. */
  expect: ScenarioReport;
  /** Lines `server.error` must have printed, in order (prefixes). */
  errors: string[];
  /** Datagrams the peer must get back (the callback's own sends). */
  echoes: number;
}

export interface ScenarioReport {
  calls: number;
  /** Outcomes of the calls the callback made. */
  inner: CallOutcome[];
  /** isopen() of the scenario's socket(s) at the end. */
  open: boolean[];
  /** Whether the scenario's port can be bound at the end (released), null when it must stay in use. */
  portFree: boolean | null;
}

const closedSend: CallOutcome = { threw: "Error", message: "send: socket is closed" };
const inUse = (port: number): CallOutcome => ({ threw: "Error", message: `openudp: localPort ${port} is already in use` });
const notPrivate: CallOutcome = { threw: "RangeError", message: "send: address 8.8.8.8 is not a private (10/8, 172.16/12, 192.168/16) address" };
const reserved: CallOutcome = { threw: "RangeError", message: "send: port 67 is reserved for DHCP/BOOTP" };

/** The scenarios; port of scenario i is SCENARIO_BASE_PORT + i. */
export const SCENARIOS: Scenario[] = [
  {
    id: "close-then-send",
    what: "the callback closes its own socket, then sends on it; later datagrams are not delivered; the port is freed",
    stages: [3],
    expect: { calls: 1, inner: [closedSend, { returned: false }], open: [false], portFree: true },
    errors: [],
    echoes: 0,
  },
  {
    id: "onreceive-null",
    what: "the callback removes itself with onreceive(null); later datagrams are not delivered",
    stages: [3],
    expect: { calls: 1, inner: [], open: [true], portFree: null },
    errors: [],
    echoes: 0,
  },
  {
    id: "openudp-same-port",
    what: "the callback tries to open a second socket on its own port",
    stages: [2],
    expect: { calls: 2, inner: [inUse(SCENARIO_BASE_PORT + 2), inUse(SCENARIO_BASE_PORT + 2)], open: [true], portFree: null },
    errors: [],
    echoes: 0,
  },
  {
    id: "close-and-rebind",
    what: "the callback closes its socket and opens a new one on the same port, which gets the next datagram",
    stages: [1, 1],
    expect: { calls: 2, inner: [{ returned: true }], open: [false, true], portFree: null },
    errors: [],
    echoes: 0,
  },
  {
    id: "throw",
    what: "the callback throws: reported, the socket keeps receiving",
    stages: [2],
    expect: { calls: 2, inner: [], open: [true], portFree: null },
    errors: ["onreceive callback threw: Error: reentrant throw", "onreceive callback threw: Error: reentrant throw"],
    echoes: 0,
  },
  {
    id: "handler-throws",
    what: "the callback installs an unhandled-exception handler that removes itself and throws, then throws",
    stages: [1, 1],
    expect: { calls: 2, inner: [], open: [true], portFree: null },
    errors: [
      "imp.onunhandledexception handler threw: Error: handler failure",
      "onreceive callback threw: Error: reentrant throw 1",
      "onreceive callback threw: Error: reentrant throw 2",
    ],
    echoes: 0,
  },
  {
    id: "bad-sends-inside",
    what: "the callback makes refused sends (public address, port 67): they throw in the callback, nothing else changes",
    stages: [2],
    expect: { calls: 2, inner: [notPrivate, reserved, notPrivate, reserved], open: [true], portFree: null },
    errors: [],
    echoes: 0,
  },
  {
    id: "echo-inside",
    what: "the callback answers the sender from inside the callback",
    stages: [2],
    expect: { calls: 2, inner: [{ returned: 0 }, { returned: 0 }], open: [true], portFree: null },
    errors: [],
    echoes: 2,
  },
];

export interface ReentrantState {
  barrier: UdpSocket;
  barrierCount: number;
  reports: Map<string, ScenarioReport>;
  sockets: Map<string, UdpSocket[]>;
}

function outcomeOf(call: () => unknown): CallOutcome {
  try {
    return { returned: encode(call()) };
  } catch (error) {
    return error instanceof Error ? { threw: error.name, message: error.message } : { threw: "non-Error", message: String(error) };
  }
}

/** Opens the barrier socket and every scenario's socket (call while connected). */
export function armScenarios(env: MatrixEnv): ReentrantState {
  const state: ReentrantState = { barrierCount: 0, reports: new Map(), sockets: new Map() } as ReentrantState;
  state.barrier = env.iface.openudp(() => {
    state.barrierCount++;
  }, BARRIER_PORT);
  SCENARIOS.forEach((scenario, i) => {
    const port = SCENARIO_BASE_PORT + i;
    const report: ScenarioReport = { calls: 0, inner: [], open: [], portFree: null };
    state.reports.set(scenario.id, report);
    const sockets: UdpSocket[] = [];
    state.sockets.set(scenario.id, sockets);
    let sock: UdpSocket;
    switch (scenario.id) {
      case "close-then-send":
        sock = env.iface.openudp(() => {
          report.calls++;
          sock.close();
          report.inner.push(outcomeOf(() => sock.send("127.0.0.1", port, "x")));
          report.inner.push(outcomeOf(() => sock.isopen()));
        }, port);
        break;
      case "onreceive-null":
        sock = env.iface.openudp(() => {
          report.calls++;
          sock.onreceive(null);
        }, port);
        break;
      case "openudp-same-port":
        sock = env.iface.openudp(() => {
          report.calls++;
          report.inner.push(outcomeOf(() => env.iface.openudp(null, port)));
        }, port);
        break;
      case "close-and-rebind":
        sock = env.iface.openudp(() => {
          report.calls++;
          sock.close();
          report.inner.push(
            outcomeOf(() => {
              const replacement = env.iface.openudp(() => {
                report.calls++;
              }, port);
              sockets.push(replacement);
              return replacement.isopen();
            }),
          );
        }, port);
        break;
      case "throw":
        sock = env.iface.openudp(() => {
          report.calls++;
          throw new Error("reentrant throw");
        }, port);
        break;
      case "handler-throws":
        sock = env.iface.openudp(() => {
          report.calls++;
          if (report.calls === 1) {
            env.imp.onunhandledexception(() => {
              env.imp.onunhandledexception(null);
              throw new Error("handler failure");
            });
          }
          throw new Error(`reentrant throw ${report.calls}`);
        }, port);
        break;
      case "bad-sends-inside":
        sock = env.iface.openudp(() => {
          report.calls++;
          report.inner.push(outcomeOf(() => sock.send("8.8.8.8", 1234, "x")));
          report.inner.push(outcomeOf(() => sock.send("192.168.1.1", 67, "x")));
        }, port);
        break;
      default: // echo-inside
        sock = env.iface.openudp((from, fromPort, _to, _toPort, data) => {
          report.calls++;
          report.inner.push(outcomeOf(() => sock.send(from, fromPort, data)));
        }, port);
        break;
    }
    sockets.unshift(sock);
  });
  return state;
}

/** The scenario's report, with the end state filled in; then closes its sockets. */
export function finishScenarios(env: MatrixEnv, state: ReentrantState): Record<string, ScenarioReport> {
  const out: Record<string, ScenarioReport> = {};
  SCENARIOS.forEach((scenario, i) => {
    const report = state.reports.get(scenario.id) as ScenarioReport;
    const sockets = state.sockets.get(scenario.id) as UdpSocket[];
    report.open = sockets.map((s) => s.isopen());
    if (scenario.expect.portFree !== null) {
      report.portFree = "returned" in outcomeOf(() => env.iface.openudp(null, SCENARIO_BASE_PORT + i).close());
    }
    for (const s of sockets) s.close();
    out[scenario.id] = report;
  });
  state.barrier.close();
  return out;
}

export function scenarioPort(id: string): number {
  return SCENARIO_BASE_PORT + SCENARIOS.findIndex((s) => s.id === id);
}
