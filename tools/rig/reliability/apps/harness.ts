/**
 * XS test app of the reliability suite (runs inside the simulator).
 *
 * The seed's echo pattern, instrumented: on every state it logs `state N`;
 * on CONNECTED it opens the echo socket (port from mc/config `echo_port`,
 * default 7000) and checks that a second open of that port is refused; on
 * any STOPPED state it closes the socket. The echo socket echoes each
 * datagram (or only counts them in "count" mode).
 *
 * The Node side drives it with requests: `agent "req" {id, cmd, args}`,
 * answered by `agent.send("res", {id, ok | error})`. Commands run the
 * shared matrix executor, Blob sequences, send fuzz batches, rate-limit
 * bursts, and report counters.
 *
 * Instrumentation below the public API (test only): the runtime behind
 * `imp.net` (bound ports, rate tokens) and the simulator's board (open
 * emulated sockets).
 */
import config from "mc/config";
import { imp, server, agent, Blob, type UdpSocket } from "impnet";
import type { Runtime } from "../../../../modules/impnet/core/runtime";
import { board } from "../../../../hosts/sim/board/board";
import { runSequence, type Sequence } from "../blob-ops";
import { decode, encode, type Encoded } from "../codec";
import { armScenarios, closeFixtures, finishScenarios, openFixtures, runRows, type Fixtures, type MatrixEnv, type ReentrantState } from "../matrix-exec";
import type { Row } from "../matrix-table";

const settings = config as Record<string, unknown>;
const echoPort = Number(settings.echo_port ?? 7000);
const runtime = (imp.net as unknown as { runtime: Runtime }).runtime;

let sock: UdpSocket | null = null;
let echo = true;
const counters = { received: 0, echoed: 0, echoFailures: 0, bytes: 0, opens: 0, closes: 0, states: 0, reopenChecks: 0 };
let lastCode = 0;

function received(from: string, fromPort: number, _to: string, _toPort: number, data: Blob): void {
  counters.received++;
  counters.bytes += data.len();
  if (!echo || sock === null) return;
  const rc = sock.send(from, fromPort, data);
  if (rc === 0) counters.echoed++;
  else {
    counters.echoFailures++;
    lastCode = rc;
  }
}

const iface = imp.net.open({ interface: "eth0" }, (state) => {
  counters.states++;
  server.log(`state ${state}`);
  if (state === imp.net.CONNECTED && sock === null) {
    sock = iface.openudp(received, echoPort);
    counters.opens++;
    // Re-entrant check from inside the state callback: the port is now taken.
    try {
      iface.openudp(null, echoPort);
      server.error(`reopen check: a second openudp on ${echoPort} succeeded`);
    } catch (error) {
      if ((error as Error).message !== `openudp: localPort ${echoPort} is already in use`) server.error(`reopen check: ${(error as Error).message}`);
      else counters.reopenChecks++;
    }
    server.log(`open ${echoPort}`);
  }
  if (state === imp.net.ETHERNET_STOPPED || state === imp.net.ETHERNET_STOPPED_UNHAPPY || state === imp.net.ETHERNET_STOPPED_NO_LINK) {
    if (sock !== null) {
      sock.close();
      sock = null;
      counters.closes++;
      server.log("closed");
    }
  }
});

const env: MatrixEnv = {
  imp,
  server,
  agent,
  Blob,
  iface,
  counters() {
    const limiter = runtime.limiter;
    if (limiter !== null) limiter.available(runtime.platform.now());
    return {
      ports: [...runtime.ports.keys()].sort((a, b) => a - b),
      endpoints: board().sockets.size,
      tokens: limiter === null ? null : limiter["tokens"],
    };
  },
};
let fixtures: Fixtures | null = null;
let scenarios: ReentrantState | null = null;
let hostileState: { a: number; b: number; refused: number } | null = null;
const hostileSockets: UdpSocket[] = [];

type Handler = (args: Record<string, unknown>) => unknown;

const commands: Record<string, Handler> = {
  ping: () => "pong",
  stats: () => ({
    ...counters,
    lastCode,
    echoOpen: sock !== null && sock.isopen(),
    state: iface.getstate(),
    ...env.counters(),
  }),
  echo: (args) => {
    echo = args.on === true;
    return echo;
  },
  blob: (args) => (args.sequences as Sequence[]).map((sequence) => runSequence(Blob, sequence)),
  "matrix-open": () => {
    fixtures = openFixtures(env);
    return { self: fixtures.self, prefix: fixtures.prefix };
  },
  "matrix-rows": (args) => runRows(env, fixtures as Fixtures, args.rows as Row[], { skipExternal: args.skipExternal !== false }),
  "matrix-close": () => {
    const f = fixtures as Fixtures;
    closeFixtures(f);
    fixtures = null;
    return { received: f.received };
  },
  "scenarios-arm": () => {
    scenarios = armScenarios(env);
    return true;
  },
  "scenarios-barrier": () => (scenarios as ReentrantState).barrierCount,
  "scenarios-finish": () => {
    const reports = finishScenarios(env, scenarios as ReentrantState);
    scenarios = null;
    return reports;
  },
  /** Send fuzz: each case on a fresh unbound socket and on the echo socket; outcomes as "ok:CODE" or the error class. */
  sendfuzz: (args) => {
    const cases = args.cases as { address: Encoded; port: Encoded; data: Encoded }[];
    const unbound = iface.openudp(null);
    const out: string[] = [];
    for (const item of cases) {
      const address = decode(item.address, { Blob }) as string;
      const port = decode(item.port, { Blob }) as number;
      const data = decode(item.data, { Blob }) as string;
      for (const target of [unbound, sock]) {
        if (target === null) continue;
        try {
          out.push(`ok:${target.send(address, port, data)}`);
        } catch (error) {
          out.push((error as Error).name);
        }
      }
    }
    const bound = unbound["port"];
    unbound.close();
    return { outcomes: out, unboundPort: bound };
  },
  /** `count` sends of `size` bytes from the echo socket, in this one command: the codes, run-length encoded. */
  burst: (args) => {
    const s = sock;
    if (s === null) throw new Error("burst: the echo socket is not open");
    const text = "r".repeat(Number(args.size ?? 16));
    const runs: [number, number][] = [];
    for (let i = 0; i < Number(args.count); i++) {
      const rc = s.send(String(args.address), Number(args.port), text);
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] === rc) last[1]++;
      else runs.push([rc, 1]);
    }
    return runs;
  },
  /**
   * Two sockets: A's callback misbehaves on every datagram (calls with bad
   * arguments, opening B's port, onreceive garbage, imp.net.open garbage, then
   * a throw), B only counts. Neither a peer nor A's callback may take B down.
   */
  "hostile-arm": (args) => {
    const portA = Number(args.a);
    const portB = Number(args.b);
    const hostile = { a: 0, b: 0, refused: 0 };
    hostileState = hostile;
    let a: UdpSocket | null = null;
    const attempts: (() => unknown)[] = [
      () => iface.openudp(null, portB),
      () => (a as UdpSocket).send("8.8.8.8", portB, "x"),
      () => (a as UdpSocket).send(iface.getiptable().ipv4.address as string, 67, "x"),
      () => (a as UdpSocket).onreceive("not a function" as never),
      () => imp.net.open({ interface: "eth0", bogus: true } as never),
      () => imp.net.open("eth0" as never),
      () => new Blob(-1),
    ];
    a = iface.openudp(() => {
      hostile.a++;
      for (const attempt of attempts) {
        try {
          attempt();
        } catch {
          hostile.refused++;
        }
      }
      throw new Error("hostile callback");
    }, portA);
    hostileSockets.push(a);
    hostileSockets.push(
      iface.openudp(() => {
        hostile.b++;
      }, portB),
    );
    return true;
  },
  "hostile-report": () => {
    const report = { ...(hostileState ?? { a: 0, b: 0, refused: 0 }), open: hostileSockets.map((s) => s.isopen()) };
    for (const s of hostileSockets.splice(0)) s.close();
    return report;
  },
  ratelimit: (args) => {
    imp.net.setratelimit(args.on === true);
    return env.counters().tokens;
  },
};

agent.on("req", (message) => {
  const request = message as { id: number; cmd: string; args?: Record<string, unknown> };
  const handler = commands[request.cmd];
  try {
    if (handler === undefined) throw new Error(`unknown command ${request.cmd}`);
    agent.send("res", { id: request.id, ok: encode(handler(request.args ?? {}), Blob) });
  } catch (error) {
    agent.send("res", { id: request.id, error: `${(error as Error).name}: ${(error as Error).message}` });
  }
});

server.log("harness started");
