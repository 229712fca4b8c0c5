// Shared helpers for the impnet-peer tests (not a test file itself).

import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { fileURLToPath } from "node:url";
import { HEADER_SIZE } from "../../hosts/peer/probe.ts";
import { runSink, type SinkOptions } from "../../hosts/peer/sink.ts";
import type { SinkReport } from "../../hosts/peer/types.ts";
import type { ManualClock } from "../../hosts/peer/clock.ts";
import { HANG_GUARD_MS, until } from "../support/wait.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = fileURLToPath(new URL("../../hosts/peer/bin.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// At most a few CLI children at once: each one starts Node + tsx.
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Runs `node hosts/peer/bin.js ...args` (optionally under a prefix such as `ip netns exec NS`). */
export function runCli(args: string[], opts: { prefix?: string[]; timeoutMs?: number } = {}): Promise<CliResult> {
  return slot(
    () =>
      new Promise<CliResult>((resolve, reject) => {
        const prefix = opts.prefix ?? [];
        const cmd = prefix.length ? prefix[0]! : process.execPath;
        const argv = prefix.length ? [...prefix.slice(1), process.execPath, BIN, ...args] : [BIN, ...args];
        const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        // A hang guard only: a healthy run on a busy machine ends long before it.
        const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? HANG_GUARD_MS);
        child.on("error", reject);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
  );
}

/** A UDP socket bound to an ephemeral port on 127.0.0.1. */
export async function loopbackSocket(): Promise<dgram.Socket> {
  const sock = dgram.createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return sock;
}

/** A loopback port the kernel just handed out as free (for a CLI child that must be told its port). */
export async function freePort(): Promise<number> {
  const sock = await loopbackSocket();
  const port = sock.address().port;
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

/** Starts a sink on an ephemeral loopback port and resolves its port and report. */
export async function startSink(opts: Omit<SinkOptions, "listen" | "onListening">) {
  let port = 0;
  let ready!: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  const report: Promise<SinkReport> = runSink({
    listen: "127.0.0.1:0",
    ...opts,
    onListening: (ep) => {
      port = ep.port;
      ready();
    },
  });
  await listening;
  return { port, report };
}

export type Action = "echo" | "drop" | "dup" | "corrupt" | "hold" | "badts";

/**
 * A deliberately misbehaving echo server. `decide(i, msg)` is asked for every
 * datagram (i counts from 1 in arrival order). "hold" keeps the datagram and
 * sends it right after the next datagram has been handled (reordering); a
 * datagram still held when the server closes is never sent.
 */
export async function misbehavingEcho(decide: (i: number, msg: Buffer) => Action, corruptOffset = HEADER_SIZE + 3) {
  const sock = await loopbackSocket();
  let i = 0;
  let held: { msg: Buffer; port: number; address: string } | null = null;
  const stats = { received: 0, sent: 0 };
  const send = (msg: Buffer, port: number, address: string) => {
    stats.sent++;
    sock.send(msg, port, address);
  };
  const flushHeld = () => {
    if (held) {
      const h = held;
      held = null;
      send(h.msg, h.port, h.address);
    }
  };
  sock.on("message", (msg, rinfo) => {
    i++;
    stats.received++;
    const action = decide(i, msg);
    const copy = Buffer.from(msg);
    switch (action) {
      case "drop":
        break;
      case "dup":
        send(copy, rinfo.port, rinfo.address);
        send(Buffer.from(copy), rinfo.port, rinfo.address);
        break;
      case "corrupt":
        copy[corruptOffset] = copy[corruptOffset]! ^ 0x5a;
        send(copy, rinfo.port, rinfo.address);
        break;
      case "badts":
        copy[15] = copy[15]! ^ 0x01;
        send(copy, rinfo.port, rinfo.address);
        break;
      case "hold":
        flushHeld();
        held = { msg: copy, port: rinfo.port, address: rinfo.address };
        return;
      default:
        send(copy, rinfo.port, rinfo.address);
    }
    flushHeld();
  });
  const port = (sock.address() as { port: number }).port;
  return {
    port,
    target: `127.0.0.1:${port}`,
    stats,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

/** A UDP socket on loopback that only counts and keeps what it receives. */
export async function collector() {
  const sock = await loopbackSocket();
  try {
    sock.setRecvBufferSize(8 << 20);
  } catch {
    // best effort
  }
  const msgs: Buffer[] = [];
  sock.on("message", (m) => msgs.push(m));
  const port = (sock.address() as { port: number }).port;
  return {
    port,
    target: `127.0.0.1:${port}`,
    msgs,
    socket: sock,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

export function sum(a: number[]): number {
  return a.reduce((x, y) => x + y, 0);
}

/**
 * Paces a run on `clock` by what arrives: `steps` times, waits until probe n
 * (from 1) is in `arrived` and moves the clock one `periodMs` on. Returns the
 * number of datagrams seen at each step (n when nothing came ahead of time).
 */
export async function stepPerProbe(arrived: { length: number }, clock: ManualClock, steps: number, periodMs: number): Promise<number[]> {
  const seen: number[] = [];
  for (let n = 1; n <= steps; n++) {
    await until(() => arrived.length >= n, `probe ${n}`);
    seen.push(arrived.length);
    clock.advance(periodMs);
  }
  return seen;
}

/** A loopback echo server that records each probe's sequence number and header timestamp (µs since the run's start). */
export async function recordingEcho(reply = true) {
  const sock = await loopbackSocket();
  const seqs: number[] = [];
  const stampsUs: number[] = [];
  const senders = new Set<number>();
  let echoed = 0;
  sock.on("message", (msg, rinfo) => {
    senders.add(rinfo.port);
    if (msg.length >= HEADER_SIZE) {
      seqs.push(msg.readUInt32BE(8));
      stampsUs.push(msg.readUInt32BE(12));
    }
    if (reply) sock.send(msg, rinfo.port, rinfo.address, () => echoed++);
  });
  const port = sock.address().port;
  return {
    port,
    target: `127.0.0.1:${port}`,
    seqs,
    stampsUs,
    senders,
    get echoed() {
      return echoed;
    },
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}
