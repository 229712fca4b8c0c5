/**
 * Hardware-in-loop app for the impOS fidelity cases (tests/hil/fidelity.test.ts):
 * driven over UDP, so the same cases run against the XS simulator, mcsim or
 * a device. Flash it instead of main.ts to run them on a device
 * (make deploy APP=tests/hil/apps/manifest.json).
 *
 * A control socket on port `control_port` (mc/config, default 1235) takes
 * text commands and answers the sender on the control socket; the test
 * datagrams go from other sockets to the sender's address and port:
 *
 *   ping            → "pong"
 *   burst N         an unbound socket sends "burst 0".."burst N-1", then closes (same turn) → "burst rc CODES"
 *   bound N PORT    a socket bound to PORT sends "bound 0".., then closes (same turn)       → "bound rc CODES"
 *   sockets N       N sockets, each opened, sent from once ("socket I") and closed          → "sockets rc OK of N"
 *   ephemeral       an unbound socket sends "ephemeral" once and closes                       → "ephemeral rc CODE"
 *   jobs            two 0 ms timers each queue a promise reaction, then a chain bounces between
 *                   promises and 0 ms timers 5 times                → "jobs ORDER; bounced 5"
 */
import config from "mc/config";
import Timer from "timer";
import { imp, server, type Blob, type UdpSocket } from "impnet";

const settings = config as Record<string, unknown>;
const CONTROL_PORT = Number(settings.control_port ?? 1235);
const IFACE = String(settings.iface ?? "eth0");

let control: UdpSocket | null = null;

function sendFrom(socket: UdpSocket, to: string, port: number, label: string, count: number): number[] {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) codes.push(socket.send(to, port, `${label} ${i}`));
  return codes;
}

function command(from: string, fromPort: number, text: string): string {
  const [verb, a, b] = text.trim().split(" ");
  const count = Number(a ?? 1);
  switch (verb) {
    case "ping":
      return "pong";
    case "burst": {
      const socket = iface.openudp();
      const codes = sendFrom(socket, from, fromPort, "burst", count);
      socket.close();
      return `burst rc ${codes.join(",")}`;
    }
    case "bound": {
      const socket = iface.openudp(null, Number(b));
      const codes = sendFrom(socket, from, fromPort, "bound", count);
      socket.close();
      return `bound rc ${codes.join(",")}`;
    }
    case "sockets": {
      let ok = 0;
      for (let i = 0; i < count; i++) {
        const socket = iface.openudp();
        if (socket.send(from, fromPort, `socket ${i}`) === 0) ok++;
        socket.close();
      }
      return `sockets rc ${ok} of ${count}`;
    }
    case "jobs":
      jobs(from, fromPort);
      return "";
    case "ephemeral": {
      const socket = iface.openudp();
      const code = socket.send(from, fromPort, "ephemeral");
      socket.close();
      return `ephemeral rc ${code}`;
    }
    default:
      return `unknown command ${verb}`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    Timer.set(() => resolve(), ms);
  });
}

/** Promise jobs after host events: the order of two timers' reactions, then an async chain; answers when done. */
function jobs(from: string, fromPort: number): void {
  const order: string[] = [];
  const chain = async (): Promise<void> => {
    let rounds = 0;
    for (; rounds < 5; rounds++) {
      await sleep(0);
      await Promise.resolve();
    }
    (control as UdpSocket).send(from, fromPort, `jobs ${order.join(" ")}; bounced ${rounds}`);
  };
  Timer.set(() => {
    order.push("A");
    void Promise.resolve().then(() => order.push("A-reaction"));
  }, 0);
  Timer.set(() => {
    order.push("B");
    void Promise.resolve().then(() => {
      order.push("B-reaction");
      void chain();
    });
  }, 0);
}

function received(from: string, fromPort: number, _to: string, _toPort: number, data: Blob): void {
  let answer: string;
  try {
    answer = command(from, fromPort, data.tostring());
  } catch (error) {
    answer = `error ${(error as Error).message}`;
  }
  if (answer !== "") (control as UdpSocket).send(from, fromPort, answer);
}

const iface = imp.net.open({ interface: IFACE }, (state) => {
  if (state === imp.net.CONNECTED && control === null) {
    control = iface.openudp(received, CONTROL_PORT);
    server.log(`fidelity: control on port ${CONTROL_PORT}`);
  }
});
