/**
 * Test helpers around the XS simulator: start an app, collect its output,
 * wait for lines, talk UDP to it.
 */
import { createSocket, type Socket } from "node:dgram";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Simulator, type SimOptions } from "../../hosts/sim/simulator";
import { HANG_GUARD_MS } from "./wait";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A running simulator with everything it printed. */
export interface SimRun {
  sim: Simulator;
  logs: string[];
  errors: string[];
  /** `trace()` lines. */
  traces: string[];
  notes: string[];
  crashes: string[];
  agent: { name: string; data: unknown }[];
  /** Resolves with the first line (logs, errors and traces) matching `pattern` from `from` on; rejects after `ms` (a hang guard). */
  waitFor(pattern: RegExp, ms?: number, from?: number): Promise<string>;
}

/** Starts `app` (path relative to the repository root) in the simulator. */
export async function runApp(app: string, options: Partial<SimOptions> = {}): Promise<SimRun> {
  const logs: string[] = [];
  const errors: string[] = [];
  const traces: string[] = [];
  const notes: string[] = [];
  const crashes: string[] = [];
  const agent: { name: string; data: unknown }[] = [];
  const all: string[] = [];
  const listeners = new Set<() => void>();
  const push = (list: string[], line: string): void => {
    list.push(line);
    all.push(line);
    for (const listener of [...listeners]) listener();
  };
  const sim = await Simulator.start({
    app: join(root, app),
    ...options,
    onLog: (line) => push(logs, line),
    onError: (line) => push(errors, line),
    onTrace: (line) => push(traces, line),
    onNote: (line) => push(notes, line),
    onCrash: (text) => push(crashes, text),
    onAgent: (name, data) => {
      agent.push({ name, data });
      push(notes, `agent ${name}`);
    },
  });
  const waitFor = (pattern: RegExp, ms = HANG_GUARD_MS, from = 0): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < all.length; i++) {
          if (pattern.test(all[i])) {
            listeners.delete(listener);
            clearTimeout(timer);
            resolve(all[i]);
            return true;
          }
        }
        return false;
      };
      const listener = (): void => void check();
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`no line matching ${pattern} within ${ms} ms; got:\n${all.join("\n")}`));
      }, ms);
      listeners.add(listener);
      check();
    });
  return { sim, logs, errors, traces, notes, crashes, agent, waitFor };
}

/** A UDP client on loopback that collects replies. */
export class UdpClient {
  readonly socket: Socket;
  readonly replies: { data: Buffer; address: string; port: number }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("message", (data, info) => {
      this.replies.push({ data, address: info.address, port: info.port });
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  static async open(address = "127.0.0.1", port = 0): Promise<UdpClient> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, address, () => resolve());
    });
    return new UdpClient(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Buffer, port: number, address = "127.0.0.1"): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, address, (error) => (error ? reject(error) : resolve())));
  }

  /** Waits until `count` replies arrived in total; rejects after `ms` (a hang guard). */
  async waitReplies(count: number, ms = HANG_GUARD_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.replies.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`got ${this.replies.length} of ${count} replies`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * A UDP port the kernel just handed out as free on `address` (bind 0), for a
 * simulated app that must be told its port: no fixed port two test runs (or
 * a user's `npm start`) could both want.
 */
export async function freePort(address = "127.0.0.1"): Promise<number> {
  return (await freePorts(1, address))[0];
}

/** `count` different free UDP ports on `address` (all bound at once, then released). */
export async function freePorts(count: number, address = "127.0.0.1"): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: count }, () => UdpClient.open(address)));
  const ports = clients.map((client) => client.port);
  for (const client of clients) client.close();
  return ports;
}

/**
 * A random loopback address (127.X.Y.Z, X ≥ 64) for an app that binds a fixed
 * port of its own (the seed relay's 1234): a concurrent run picks another.
 */
export function uniqueLoopback(): string {
  const octet = (low: number) => low + Math.floor(Math.random() * (255 - low));
  return `127.${octet(64)}.${octet(1)}.${octet(1)}`;
}
