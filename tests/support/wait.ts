/**
 * Waiting on conditions, never on the clock: `until` re-checks a condition
 * until it holds. Its deadline is only a guard against a hang, far longer than
 * any healthy run needs on a busy machine; no test result depends on it.
 */
import { readFileSync } from "node:fs";

/** Deadline of a wait, in wall-clock ms: a hang guard, not a timing assumption. */
export const HANG_GUARD_MS = 60_000;

/** One turn of the event loop (I/O callbacks included). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves when `check()` holds, re-checking every `every` ms; rejects naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = HANG_GUARD_MS, every = 2): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/**
 * What the kernel holds for the UDP socket bound to `address:port`
 * (/proc/net/udp): bytes queued but not read yet, and datagrams dropped
 * because the receive buffer was full. Zeros when no such socket.
 */
export function udpSocketState(address: string, port: number): { rxQueue: number; drops: number } {
  const [a = 0, b = 0, c = 0, d = 0] = address.split(".").map(Number);
  const hex = ((d << 24) | (c << 16) | (b << 8) | a) >>> 0;
  const local = `${hex.toString(16).toUpperCase().padStart(8, "0")}:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let rxQueue = 0;
  let drops = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== local) continue;
    rxQueue += parseInt(fields[4]?.split(":")[1] ?? "0", 16);
    drops += Number(fields.at(-1));
  }
  return { rxQueue, drops };
}

/** Datagrams the kernel dropped at the socket bound to `address:port` (its receive buffer was full). */
export function kernelDrops(address: string, port: number): number {
  return udpSocketState(address, port).drops;
}
