// Shared plumbing for the peer's modes: option defaults, sockets, pacing,
// growable typed arrays, timelines and loss-burst accounting.

import dgram from "node:dgram";
import { performance } from "node:perf_hooks";
import { parseListen, resolveTarget, UsageError, type Endpoint } from "./address.ts";
import { MAX_SIZE, MIN_SIZE, PATTERNS, type Pattern } from "./probe.ts";

export type Mode = "echo" | "sink" | "flood" | "broadcast";

export interface ProgressInfo {
  mode: Mode;
  /** Datagram size of the current step (null for sink). */
  size: number | null;
  step: number;
  steps: number;
  elapsedMs: number;
  sent: number;
  received: number;
}

export interface CommonSendOptions {
  /** "ADDRESS:PORT" or an endpoint; must be loopback or private. */
  target: string | Endpoint;
  /** Datagrams per size step. */
  count?: number;
  /** Length of each size step in milliseconds. */
  durationMs?: number;
  /** Datagram size (UDP payload bytes) or a list of sizes (a sweep). */
  size?: number | number[];
  /** Packets per second; 0 or undefined means unpaced. */
  rate?: number;
  timeoutMs?: number;
  pattern?: Pattern;
  /** Local "[ADDRESS:]PORT" to bind the sending socket to. */
  bind?: string | Endpoint;
  signal?: AbortSignal;
  onProgress?: (p: ProgressInfo) => void;
  progressIntervalMs?: number;
}

export const now = (): number => performance.now();

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function checkSizes(size: number | number[] | undefined, dflt: number, min = MIN_SIZE): number[] {
  const sizes = size === undefined ? [dflt] : Array.isArray(size) ? size : [size];
  if (sizes.length === 0) throw new UsageError("no datagram size given");
  for (const s of sizes) {
    if (!Number.isInteger(s)) throw new UsageError(`datagram size ${s} is not an integer`);
    if (s > MAX_SIZE) throw new UsageError(`datagram size ${s} is over the UDP/IPv4 maximum of ${MAX_SIZE}`);
    if (s < min) throw new UsageError(`datagram size ${s} is below the minimum of ${min} (the probe header)`);
  }
  return sizes;
}

export function checkCount(n: number | undefined): number | null {
  if (n === undefined) return null;
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`count ${n} must be a positive integer`);
  return n;
}

export function checkMs(ms: number | undefined, what: string): number | null {
  if (ms === undefined) return null;
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${what} ${ms} must be a positive time`);
  return ms;
}

export function checkRate(rate: number | undefined): number {
  if (rate === undefined) return 0;
  if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`rate ${rate} must be zero (unpaced) or a positive number of packets/s`);
  return rate;
}

export function checkPattern(p: Pattern | undefined): Pattern {
  if (p === undefined) return "random";
  if (!PATTERNS.includes(p)) throw new UsageError(`unknown pattern "${p}" (random, zeros, ones, counter)`);
  return p;
}

export { resolveTarget };

export function resolveBind(bind: string | Endpoint | undefined): Endpoint | null {
  if (bind === undefined) return null;
  if (typeof bind === "string") return parseListen(bind, "0.0.0.0", true);
  return bind;
}

/** Opens an IPv4 UDP socket, bound (and optionally connected), with errors counted. */
export async function openSocket(opts: {
  bind: Endpoint | null;
  connect?: Endpoint;
  broadcast?: boolean;
  onError: (err: Error) => void;
  recvBufferSize?: number;
  sendBufferSize?: number;
}): Promise<dgram.Socket> {
  const sock = dgram.createSocket({ type: "udp4" });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    sock.once("error", fail);
    sock.bind(opts.bind?.port ?? 0, opts.bind?.address ?? undefined, () => {
      sock.off("error", fail);
      resolve();
    });
  });
  sock.on("error", opts.onError);
  try {
    if (opts.recvBufferSize) sock.setRecvBufferSize(opts.recvBufferSize);
    if (opts.sendBufferSize) sock.setSendBufferSize(opts.sendBufferSize);
  } catch {
    // best effort: the kernel may cap buffer sizes
  }
  if (opts.broadcast) sock.setBroadcast(true);
  if (opts.connect) {
    const c = opts.connect;
    await new Promise<void>((resolve, reject) => {
      sock.connect(c.port, c.address, (err?: Error) => (err ? reject(err) : resolve()));
    });
  }
  return sock;
}

export function closeSocket(sock: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** A Uint8Array that doubles when written past its end (capped). */
export class GrowBytes {
  data: Uint8Array;
  constructor(initial = 4096, readonly cap = 1 << 28) {
    this.data = new Uint8Array(initial);
  }
  ensure(index: number): boolean {
    if (index < this.data.length) return true;
    if (index >= this.cap) return false;
    let n = this.data.length * 2;
    while (n <= index) n *= 2;
    const d = new Uint8Array(Math.min(n, this.cap));
    d.set(this.data);
    this.data = d;
    return true;
  }
}

export class GrowU32 {
  data: Uint32Array;
  constructor(initial = 4096, readonly cap = 1 << 26) {
    this.data = new Uint32Array(initial);
  }
  ensure(index: number): boolean {
    if (index < this.data.length) return true;
    if (index >= this.cap) return false;
    let n = this.data.length * 2;
    while (n <= index) n *= 2;
    const d = new Uint32Array(Math.min(n, this.cap));
    d.set(this.data);
    this.data = d;
    return true;
  }
}

/** Base bin of every timeline, in milliseconds. */
export const BASE_BIN_MS = 10;
/** Upper bound on the number of bins a report keeps. */
export const MAX_REPORT_BINS = 120;

/** Per-bin counters of events over time (10 ms bins, merged for reports). */
export class Series {
  bins: number[] = [];
  add(idx: number, n = 1): void {
    const b = this.bins;
    while (b.length <= idx) b.push(0);
    b[idx]! += n;
  }
}

export interface TimelineOut {
  binMs: number;
  series: Record<string, number[]>;
}

/** Merges 10 ms bins so that the longest series has at most MAX_REPORT_BINS bins. */
export function compressTimeline(series: Record<string, number[]>): TimelineOut {
  let len = 0;
  for (const k in series) len = Math.max(len, series[k]!.length);
  const factor = Math.max(1, Math.ceil(len / MAX_REPORT_BINS));
  const out: Record<string, number[]> = {};
  const outLen = Math.ceil(len / factor);
  for (const k in series) {
    const src = series[k]!;
    const dst = new Array<number>(outLen).fill(0);
    for (let i = 0; i < src.length; i++) dst[(i / factor) | 0]! += src[i]!;
    out[k] = dst;
  }
  return { binMs: BASE_BIN_MS * factor, series: out };
}

export interface LossBursts {
  /** Number of runs of consecutive lost sequence numbers. */
  count: number;
  /** Longest run. */
  max: number;
  mean: number;
  /** [run length, how many runs of that length], ascending by length. */
  lengths: Array<[number, number]>;
}

/** Runs of sequence numbers in [from, to) whose status lacks `bit`. */
export function lossBursts(status: Uint8Array, from: number, to: number, bit: number): LossBursts {
  const hist = new Map<number, number>();
  let run = 0;
  let count = 0;
  let max = 0;
  let total = 0;
  const flush = () => {
    if (run > 0) {
      hist.set(run, (hist.get(run) ?? 0) + 1);
      count++;
      total += run;
      if (run > max) max = run;
      run = 0;
    }
  };
  for (let s = from; s < to; s++) {
    if (status[s]! & bit) flush();
    else run++;
  }
  flush();
  return {
    count,
    max,
    mean: count ? total / count : 0,
    lengths: [...hist.entries()].sort((a, b) => a[0] - b[0]),
  };
}

/**
 * Schedules sending: open-loop at `rate` packets/s, spinning on setImmediate
 * for high rates and sleeping with setTimeout for low ones. `burst(due)` is
 * asked to send until its total reaches `due` and returns false when done.
 */
export class Pacer {
  private timer: NodeJS.Timeout | null = null;
  private imm: NodeJS.Immediate | null = null;
  private stopped = false;
  private readonly tick = () => this.run();
  private t0 = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: (due: number) => boolean,
  ) {}

  start(t0: number): void {
    this.t0 = t0;
    this.run();
  }

  private run(): void {
    this.timer = null;
    this.imm = null;
    if (this.stopped) return;
    const elapsed = now() - this.t0;
    const due = Math.floor((elapsed * this.rate) / 1000) + 1;
    if (!this.burst(due)) return;
    const periodMs = 1000 / this.rate;
    if (periodMs >= 2) {
      const next = due * periodMs - (now() - this.t0);
      this.timer = setTimeout(this.tick, Math.max(0, next));
    } else {
      this.imm = setImmediate(this.tick);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.imm) clearImmediate(this.imm);
  }
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

export function round(n: number, digits = 4): number {
  if (!Number.isFinite(n)) return 0;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
