/**
 * Node side of the XS harness app (apps/harness.ts): starts it in the
 * simulator on one of the suite's loopback addresses, sends it requests and
 * waits for the answers, and keeps everything it printed.
 */
import { join } from "node:path";
import { Blob } from "../../modules/impnet/core/blob";
import { Simulator, type SimOptions } from "../../hosts/sim/simulator";
import { freePort, root } from "../support/sim";
import { HANG_GUARD_MS } from "../support/wait";
import { decode, type Encoded } from "./codec";
import { until } from "./common";

export const HARNESS_APP = "tests/reliability/apps/harness.ts";

export interface HarnessOptions extends Partial<Omit<SimOptions, "app" | "interfaces">> {
  /** Loopback address of eth0 (one of common.ts ADDRESS). */
  address: string;
  /** Echo port (default: a free port on `address`). */
  echoPort?: number;
}

export interface Harness {
  sim: Simulator;
  address: string;
  echoPort: number;
  logs: string[];
  errors: string[];
  notes: string[];
  crashes: string[];
  /** Every `state N` the app logged, in order. */
  states: number[];
  /** Sends a command to the app and resolves with its (decoded) answer. */
  request(cmd: string, args?: Record<string, unknown>, ms?: number): Promise<unknown>;
  /** Resolves when `check()` holds, re-checking whenever the app prints. */
  waitLog(pattern: RegExp, from?: number, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Long lines (the matrix logs 70 000-character strings) are kept short, and
 * copied: a V8 slice would keep the whole original string alive, and a soak
 * runs for hours.
 */
function shorten(line: string): string {
  return line.length > 1000 ? Buffer.from(`${line.slice(0, 1000)}…`, "utf8").toString("utf8") : line;
}

/** Starts the harness app and waits until its echo socket is open. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const echoPort = options.echoPort ?? (await freePort(options.address));
  const logs: string[] = [];
  const errors: string[] = [];
  const notes: string[] = [];
  const crashes: string[] = [];
  const states: number[] = [];
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const { address, echoPort: _ignored, ...rest } = options;
  const sim = await Simulator.start({
    ...rest,
    app: join(root, HARNESS_APP),
    interfaces: [{ name: "eth0", address }],
    config: { echo_port: String(echoPort), ...(options.config ?? {}) },
    onLog: (line) => {
      logs.push(shorten(line));
      if (line.startsWith("state ")) states.push(Number(line.slice(6)));
    },
    onError: (line) => errors.push(shorten(line)),
    onNote: (line) => notes.push(line),
    onCrash: (text) => {
      crashes.push(text);
      for (const waiter of pending.values()) waiter.reject(new Error(`the app crashed: ${text}`));
      pending.clear();
    },
    onAgent: (name, data) => {
      if (name !== "res") return;
      const answer = data as { id: number; ok?: Encoded; error?: string };
      const waiter = pending.get(answer.id);
      if (waiter === undefined) return;
      pending.delete(answer.id);
      if (answer.error !== undefined) waiter.reject(new Error(`app: ${answer.error}`));
      else waiter.resolve(decode(answer.ok as Encoded, { Blob }));
    },
  });
  void sim.stopped.then(({ reason }) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the simulator stopped: ${reason}`));
    pending.clear();
  });
  const harness: Harness = {
    sim,
    address,
    echoPort,
    logs,
    errors,
    notes,
    crashes,
    states,
    request(cmd, args = {}, ms = 120_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`request ${cmd} got no answer within ${ms} ms`));
        }, ms);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        sim.agent("req", { id, cmd, args });
      });
    },
    async waitLog(pattern, from = 0, ms = HANG_GUARD_MS) {
      let found: string | undefined;
      await until(() => {
        for (let i = from; i < logs.length; i++) {
          if (pattern.test(logs[i])) {
            found = logs[i];
            return true;
          }
        }
        return crashes.length > 0;
      }, `a log line matching ${pattern}`, ms);
      if (found === undefined) throw new Error(`the app crashed: ${crashes.join("\n")}`);
      return found;
    },
    stop: () => sim.stop(),
  };
  try {
    await harness.waitLog(new RegExp(`^open ${echoPort}$`));
  } catch (error) {
    await sim.stop();
    throw error;
  }
  return harness;
}

/** Counters the harness app reports (`stats`). */
export interface AppStats {
  received: number;
  echoed: number;
  echoFailures: number;
  bytes: number;
  opens: number;
  closes: number;
  states: number;
  reopenChecks: number;
  lastCode: number;
  echoOpen: boolean;
  state: number;
  ports: number[];
  endpoints: number;
  tokens: number | null;
}

export function appStats(harness: Harness): Promise<AppStats> {
  return harness.request("stats") as Promise<AppStats>;
}
