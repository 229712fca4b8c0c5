/**
 * Where the hardware-in-loop suite sends its traffic.
 *
 * With IMPNET_DEVICE=ADDRESS the target is a real device (an ESP32 on a desk
 * LAN, or Moddable's mcsim on this PC) running main.ts; otherwise the suite
 * starts the XS simulator with main.ts itself.
 *
 *   IMPNET_DEVICE        device address (unset: start the simulator)
 *   IMPNET_ECHO_PORT     the device's echo port (default 1234; the simulator
 *                        takes a free port, given to main.ts as echo_port)
 *   IMPNET_MAX_DATAGRAM  largest datagram the target echoes whole
 *                        (default 1472 for a device, 65507 for the simulator)
 *   IMPNET_RATE          packets/s for the long runs (default: unpaced, closed loop)
 *   IMPNET_SEQUENCE      packets in the long sequence run (default 10000)
 *   IMPNET_MAX_LOSS      loss ratio tolerated (default 0: loopback loses nothing)
 *   IMPNET_LOSS_TIMEOUT  ms after which an unanswered probe counts as lost
 *                        (default 2000 for a device; 60000 for the simulator,
 *                        which loses nothing on loopback, so a busy machine
 *                        can only make echoes late, never lost)
 */
import { Simulator } from "../../hosts/sim/simulator";
import { join } from "node:path";
import { freePort, root } from "../support/sim";
import { until } from "../support/wait";

export interface HilTarget {
  kind: "simulator" | "device";
  address: string;
  port: number;
  target: string;
  maxDatagram: number;
  rate: number;
  sequence: number;
  maxLoss: number;
  /** The peer's loss timeout for this target. */
  lossTimeoutMs: number;
  /** Present when the suite runs the simulator itself (link control, agent). */
  sim?: Simulator;
  /** The app's server.log and server.error lines (simulator only). */
  lines: string[];
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
 * when the suite starts it. main.ts gets a free port there (mc/config
 * `echo_port`), so suites can run side by side and beside `npm start`; an
 * app with a port of its own (the relay's 1234) needs an address nobody else
 * uses (support/sim.ts `uniqueLoopback`).
 */
export async function openTarget(address: string, app = "main.ts"): Promise<HilTarget> {
  const device = process.env.IMPNET_DEVICE;
  const onDevice = device !== undefined && device !== "";
  const port = onDevice ? envNumber("IMPNET_ECHO_PORT", 1234) : app === "main.ts" ? await freePort(address) : 1234;
  const common = {
    port,
    rate: envNumber("IMPNET_RATE", 0),
    sequence: envNumber("IMPNET_SEQUENCE", 10000),
    maxLoss: envNumber("IMPNET_MAX_LOSS", 0),
    lossTimeoutMs: envNumber("IMPNET_LOSS_TIMEOUT", onDevice ? 2000 : 60_000),
    lines: [] as string[],
  };
  if (onDevice) {
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
    config: { echo_port: String(port) },
    onLog: (line) => {
      common.lines.push(line);
      if (line.startsWith("echo: listening")) ready();
    },
    onError: (line) => {
      common.lines.push(line);
      process.stderr.write(`[hil ${address}] ${line}\n`);
    },
  });
  if (app === "main.ts") await listening;
  // Other apps (the relay) start once eth0 is CONNECTED, as on impOS, and open their socket then.
  else await until(() => sim.stats.xsSockets > 0, `${app} to open its socket`);
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
