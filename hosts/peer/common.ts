// Shared plumbing for the peer's modes: option defaults, sockets and their
// error counts, send-buffer rings, pacing, growable typed arrays, timelines,
// loss-burst accounting and report rounding.

import dgram from "node:dgram";
import { parseListen, resolveTarget, UsageError, type Endpoint } from "./address.ts";
import type { Clock } from "./clock.ts";
import type { LatencyHistogram, Percentiles } from "./histogram.ts";
import { HEADER_SIZE, MAX_SIZE, MIN_SIZE, PATTERNS, writeHeaderFixed, type Pattern } from "./probe.ts";

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
  /** Time source and timers (default: the wall clock); tests pass a ManualClock. */
  clock?: Clock;
}

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

/** A step's socket error counts, in the report's `errors` shape. */
export class SocketErrors {
  send = 0;
  receive = 0;
  last: string | null = null;
  /** The socket's "error" listener: counted as a receive error. */
  readonly onSocketError = (err: Error): void => {
    this.receive++;
    this.last = describeError(err);
  };
  sendFailed(err: unknown): void {
    this.send++;
    this.last = describeError(err);
  }
  counts(): { send: number; receive: number; last: string | null } {
    return { send: this.send, receive: this.receive, last: this.last };
  }
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Preallocated probe datagrams of one size for one run, the fixed header (and
 * a constant payload) written once. The ring has 2 × maxOutstanding buffers
 * (a power of two): a buffer is rewritten only after maxOutstanding later
 * sends, so as long as the caller keeps no more than maxOutstanding sends
 * incomplete, Node is done with a buffer before it is reused.
 */
export class SendRing {
  /** Sends that may be incomplete at once: maxBytes / size, from 8 up to `cap`. */
  readonly maxOutstanding: number;
  private readonly bufs: Buffer[] = [];
  private readonly mask: number;
  /** Zeros and ones: every sequence number carries the same payload. */
  private readonly constantPayload: boolean;

  constructor(
    private readonly size: number,
    pid: number,
    runId: number,
    private readonly block: Buffer,
    limits: { maxBytes: number; cap: number },
  ) {
    this.maxOutstanding = Math.max(8, Math.min(limits.cap, Math.floor(limits.maxBytes / size)));
    const count = nextPow2(this.maxOutstanding * 2);
    this.mask = count - 1;
    this.constantPayload = pid === 1 || pid === 2;
    for (let i = 0; i < count; i++) {
      const b = Buffer.alloc(size);
      writeHeaderFixed(b, pid, runId);
      if (this.constantPayload) block.copy(b, HEADER_SIZE, 0, size - HEADER_SIZE);
      this.bufs.push(b);
    }
  }

  /** The buffer for `seq`, stamped with it, the timestamp `tsUs` (uint32) and its payload. */
  probe(seq: number, tsUs: number): Buffer {
    const buf = this.bufs[seq & this.mask]!;
    buf.writeUInt32BE(seq >>> 0, 8);
    buf.writeUInt32BE(tsUs, 12);
    if (!this.constantPayload) {
      const off = seq & 255;
      this.block.copy(buf, HEADER_SIZE, off, off + this.size - HEADER_SIZE);
    }
    return buf;
  }
}

/** A typed array that doubles when written past its end (capped). */
class GrowArray<A extends Uint8Array | Uint32Array> {
  data: A;
  constructor(
    private readonly alloc: (length: number) => A,
    initial: number,
    readonly cap: number,
  ) {
    this.data = alloc(initial);
  }
  ensure(index: number): boolean {
    if (index < this.data.length) return true;
    if (index >= this.cap) return false;
    let n = this.data.length * 2;
    while (n <= index) n *= 2;
    const d = this.alloc(Math.min(n, this.cap));
    d.set(this.data);
    this.data = d;
    return true;
  }
}

/** A Uint8Array that doubles when written past its end (capped). */
export class GrowBytes extends GrowArray<Uint8Array> {
  constructor(initial = 4096, cap = 1 << 28) {
    super((n) => new Uint8Array(n), initial, cap);
  }
}

export class GrowU32 extends GrowArray<Uint32Array> {
  constructor(initial = 4096, cap = 1 << 26) {
    super((n) => new Uint32Array(n), initial, cap);
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
 * Schedules sending: open-loop at `rate` packets/s on `clock`'s time,
 * spinning on setImmediate for high rates and sleeping on a clock timer for
 * low ones. `burst(due)` is asked to send until its total reaches `due` and
 * returns false when done. Probe n (from 0) is due at n / rate seconds.
 */
export class Pacer {
  private cancelTimer: (() => void) | null = null;
  private imm: NodeJS.Immediate | null = null;
  private stopped = false;
  private readonly tick = () => this.run();
  private t0 = 0;

  constructor(
    private readonly rate: number,
    private readonly clock: Clock,
    private readonly burst: (due: number) => boolean,
  ) {}

  start(t0: number): void {
    this.t0 = t0;
    this.run();
  }

  private run(): void {
    this.cancelTimer = null;
    this.imm = null;
    if (this.stopped) return;
    const elapsed = this.clock.now() - this.t0;
    const due = Math.floor((elapsed * this.rate) / 1000) + 1;
    if (!this.burst(due)) return;
    const periodMs = 1000 / this.rate;
    if (periodMs >= 2) {
      const next = due * periodMs - (this.clock.now() - this.t0);
      this.cancelTimer = this.clock.after(Math.max(0, next), this.tick);
    } else {
      this.imm = setImmediate(this.tick);
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
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

/** A histogram's percentiles rounded for the report (null without samples). */
export function roundedPercentiles(hist: LatencyHistogram): Percentiles | null {
  const pct = hist.percentiles();
  return (
    pct && {
      samples: pct.samples,
      min: round(pct.min),
      mean: round(pct.mean),
      p50: round(pct.p50),
      p90: round(pct.p90),
      p99: round(pct.p99),
      p999: round(pct.p999),
      max: round(pct.max),
    }
  );
}

/** A histogram's non-empty buckets, bounds rounded for the report. */
export function roundedBuckets(hist: LatencyHistogram): Array<[number, number, number]> {
  return hist.buckets().map(([lo, hi, c]) => [round(lo), round(hi), c]);
}
