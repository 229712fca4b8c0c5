/**
 * Where the hardware-in-loop suite sends its traffic.
 *
 * With IMPNET_DEVICE=ADDRESS the target is a real device (an ESP32 on a desk
 * LAN, or Moddable's mcsim on this PC) running main.ts; otherwise the suite
 * starts the XS simulator with main.ts itself.
 *
 *   IMPNET_DEVICE        device address (unset: start the simulator)
 *   IMPNET_ECHO_PORT     echo port (default 1234)
 *   IMPNET_MAX_DATAGRAM  largest datagram the target echoes whole
 *                        (default 1472 for a device, 65507 for the simulator)
 *   IMPNET_RATE          packets/s for the long runs (default: unpaced, closed loop)
 *   IMPNET_SEQUENCE      packets in the long sequence run (default 10000)
 *   IMPNET_MAX_LOSS      loss ratio tolerated (default 0: loopback loses nothing)
 */
import { Simulator } from "../../hosts/sim/simulator";
import { join } from "node:path";
import { root } from "../support/sim";
import { until } from "../reliability/common";

export interface HilTarget {
  kind: "simulator" | "device";
  address: string;
  port: number;
  target: string;
  maxDatagram: number;
  rate: number;
  sequence: number;
  maxLoss: number;
  /** Present when the suite runs the simulator itself (link control, agent). */
  sim?: Simulator;
  stop(): Promise<void>;
}

function envNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${text} is not a number >= 0`);
  return value;
}

/**
 * Opens the target. `address` is the loopback address the simulator uses
 * when the suite starts it (each test file takes its own, so files can run
 * in parallel with each other and with `npm start` on 127.0.0.1).
 */
export async function openTarget(address: string, app = "main.ts"): Promise<HilTarget> {
  const port = envNumber("IMPNET_ECHO_PORT", 1234);
  const common = {
    port,
    rate: envNumber("IMPNET_RATE", 0),
    sequence: envNumber("IMPNET_SEQUENCE", 10000),
    maxLoss: envNumber("IMPNET_MAX_LOSS", 0),
  };
  const device = process.env.IMPNET_DEVICE;
  if (device !== undefined && device !== "") {
    return {
      kind: "device",
      address: device,
      target: `${device}:${port}`,
      maxDatagram: envNumber("IMPNET_MAX_DATAGRAM", 1472),
      ...common,
      stop: async () => {},
    };
  }
  let ready: () => void = () => {};
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const sim = await Simulator.start({
    app: join(root, app),
    interfaces: [{ name: "eth0", address }],
    onLog: (line) => {
      if (line.startsWith("echo: listening")) ready();
    },
    onError: (line) => process.stderr.write(`[hil ${address}] ${line}\n`),
  });
  if (app === "main.ts") await listening;
  // Other apps (the relay) start once eth0 is CONNECTED, as on impOS, and open their socket then.
  else await until(() => sim.stats.xsSockets > 0, `${app} to open its socket`, 20_000);
  return {
    kind: "simulator",
    address,
    target: `${address}:${port}`,
    maxDatagram: envNumber("IMPNET_MAX_DATAGRAM", 65507),
    ...common,
    sim,
    stop: () => sim.stop(),
  };
}

/** One line of metrics for a case. */
export function metrics(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : String(value)}`)
    .join(" ");
}
