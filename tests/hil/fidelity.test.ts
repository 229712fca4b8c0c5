/**
 * Hardware-in-loop, impOS fidelity seen on the wire (docs/compatibility.md
 * §6): datagrams sent just before close() all arrive, promise jobs run after
 * timer callbacks, and ephemeral ports differ across restarts. Driven over UDP through tests/hil/apps/fidelity.ts,
 * so the cases run against the XS simulator (default), mcsim or a device
 * running that app (IMPNET_DEVICE=ADDRESS; control port IMPNET_CONTROL_PORT,
 * default 1235; flash it with make deploy APP=tests/hil/apps/manifest.json).
 */
import test from "ava";
import { createSocket, type Socket } from "node:dgram";
import { uniqueLoopback } from "../support/sim";
import { HANG_GUARD_MS } from "../support/wait";
import { metrics, openTarget, type HilTarget } from "./target";

const APP = "tests/hil/apps/fidelity.ts";
/** The app binds ports of its own (control 1235, 1236): on an address no other run uses. */
const SIM_ADDRESS = uniqueLoopback();
const CONTROL_PORT = Number(process.env.IMPNET_CONTROL_PORT ?? 1235);
const MAX_LOSS = Number(process.env.IMPNET_MAX_LOSS ?? 0);
const DEVICE = process.env.IMPNET_DEVICE ?? "";

/** The PC's side: one socket that talks to the control port and receives the test datagrams. */
class Peer {
  readonly received: { text: string; port: number }[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: Socket) {
    socket.on("message", (data, info) => {
      this.received.push({ text: data.toString(), port: info.port });
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  static async open(address: string): Promise<Peer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, address, () => resolve());
    });
    return new Peer(socket);
  }

  /** Sends a command to the control port and resolves with its answer; rejects after `ms` (by default a hang guard). */
  async command(target: HilTarget, text: string, ms = HANG_GUARD_MS): Promise<string> {
    const from = this.received.length;
    this.socket.send(text, CONTROL_PORT, target.address);
    // Answers come from the control port; the test datagrams from other sockets.
    const answer = await this.until(() => this.received.slice(from).find((d) => d.port === CONTROL_PORT), ms);
    if (answer === undefined) throw new Error(`no answer to "${text}" from ${target.address}:${CONTROL_PORT} within ${ms} ms`);
    return answer.text;
  }

  /** Test datagrams (not control answers) received so far whose text is `prefix` or starts with it and a space. */
  data(prefix: string): { text: string; port: number }[] {
    return this.received.filter((d) => d.port !== CONTROL_PORT && (d.text === prefix || d.text.startsWith(`${prefix} `)));
  }

  /** Resolves when `check` returns something, or with undefined after `ms`. */
  until<T>(check: () => T | undefined, ms: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(check());
      }, ms);
      const poll = (): void => {
        const value = check();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else this.waiters.push(poll);
      };
      poll();
    });
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Pings until the app answers (it opens its control socket once its interface
 * is CONNECTED), every 300 ms, `attempts` times at most (a device), or until
 * the hang guard (the simulator: it is known to be starting).
 */
async function ready(peer: Peer, target: HilTarget, attempts: number): Promise<boolean> {
  const deadline = Date.now() + HANG_GUARD_MS;
  for (let i = 0; i < attempts || (target.kind === "simulator" && Date.now() < deadline); i++) {
    try {
      if ((await peer.command(target, "ping", 300)) === "pong") return true;
    } catch {
      // not up yet
    }
  }
  return false;
}

const peerAddress = DEVICE === "" ? "127.0.0.1" : "0.0.0.0";
let target: HilTarget | undefined;
let peer: Peer | undefined;
let unavailable: string | null = null;
if (DEVICE !== "") {
  // Probe the device before registering the cases: it must run the fidelity app, not main.ts.
  const probeTarget = await openTarget(SIM_ADDRESS, APP);
  const probe = await Peer.open(peerAddress);
  if (!(await ready(probe, probeTarget, 10))) unavailable = `the device at ${DEVICE} does not answer on control port ${CONTROL_PORT}: flash tests/hil/apps/fidelity.ts (make deploy APP=tests/hil/apps/manifest.json)`;
  probe.close();
}

async function open(): Promise<{ target: HilTarget; peer: Peer }> {
  if (target === undefined) {
    target = await openTarget(SIM_ADDRESS, APP);
    peer = await Peer.open(peerAddress);
    if (!(await ready(peer, target, 50))) throw new Error(`the fidelity app at ${target.address}:${CONTROL_PORT} does not answer`);
  }
  return { target, peer: peer as Peer };
}

test.after.always(async () => {
  peer?.close();
  await target?.stop();
});

/** Waits for `count` datagrams with `prefix`; returns what arrived (the loss allowance is checked by the caller). */
async function collect(p: Peer, prefix: string, count: number): Promise<{ text: string; port: number }[]> {
  // With loss allowed (a device), what arrived by the hang guard is what counts.
  await p.until(() => (p.data(prefix).length >= count ? true : undefined), HANG_GUARD_MS);
  return p.data(prefix);
}

/** Every datagram arrived (or as many as IMPNET_MAX_LOSS allows), and in the order they were sent. */
function assertArrivedInOrder(t: import("ava").ExecutionContext, got: { text: string }[], label: string, count: number): void {
  const expected = Array.from({ length: count }, (_, i) => `${label} ${i}`);
  t.true(got.length >= Math.ceil(count * (1 - MAX_LOSS)), `${got.length} of ${count} arrived`);
  const positions = got.map((d) => expected.indexOf(d.text));
  t.true(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])), `in order: ${got.map((d) => d.text).join(", ")}`);
}

if (unavailable !== null) {
  test.skip(`send-then-close and restart cases skipped: ${unavailable}`, () => {});
} else {
  test.serial("send then close in one turn (unbound socket, 5 datagrams): all arrive, in order, from one port", async (t) => {
    const { target: tg, peer: p } = await open();
    const answer = await p.command(tg, "burst 5");
    t.is(answer, "burst rc 0,0,0,0,0");
    const got = await collect(p, "burst", 5);
    t.log(metrics({ case: "burst", sent: 5, received: got.length }));
    assertArrivedInOrder(t, got, "burst", 5);
    t.is(new Set(got.map((d) => d.port)).size, 1);
  });

  test.serial("send then close in one turn (socket bound to a port, 5 datagrams): all arrive, in order, from that port", async (t) => {
    const { target: tg, peer: p } = await open();
    const port = CONTROL_PORT + 1;
    t.is(await p.command(tg, `bound 5 ${port}`), "bound rc 0,0,0,0,0");
    const got = await collect(p, "bound", 5);
    t.log(metrics({ case: "bound", sent: 5, received: got.length }));
    assertArrivedInOrder(t, got, "bound", 5);
    t.true(got.every((d) => d.port === port));
  });

  test.serial("300 sockets that each open, send and close in one turn: all 300 datagrams arrive, in order", async (t) => {
    const { target: tg, peer: p } = await open();
    t.is(await p.command(tg, "sockets 300"), "sockets rc 300 of 300");
    const got = await collect(p, "socket", 300);
    t.log(metrics({ case: "sockets", sent: 300, received: got.length, ports: new Set(got.map((d) => d.port)).size }));
    assertArrivedInOrder(t, got, "socket", 300);
  });

  test.serial("promise jobs run after timer callbacks: two due timers, then their reactions; a promise/timer chain runs to the end", async (t) => {
    const { target: tg, peer: p } = await open();
    t.is(await p.command(tg, "jobs"), "jobs A B A-reaction B-reaction; bounced 5");
  });

  if (DEVICE !== "") {
    test.skip("ephemeral ports differ across restarts: skipped against a device, which the suite cannot restart (restart it by hand and compare the source port of `ephemeral`)", () => {});
  } else {
    test.serial("ephemeral ports differ across restarts (the simulator is restarted)", async (t) => {
      const firstPorts = async (): Promise<number[]> => {
        const { target: tg, peer: p } = await open();
        const ports: number[] = [];
        for (let i = 0; i < 3; i++) {
          t.is(await p.command(tg, "ephemeral"), "ephemeral rc 0");
          const got = await collect(p, "ephemeral", i + 1);
          ports.push(got[i].port);
        }
        return ports;
      };
      const before = await firstPorts();
      peer?.close();
      await target?.stop();
      target = undefined;
      const after = await firstPorts();
      t.log(metrics({ case: "restart", before: before.join("/"), after: after.join("/") }));
      t.notDeepEqual(before, after);
    });
  }
}
