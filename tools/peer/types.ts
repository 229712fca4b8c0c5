// The report document: what every run* function returns and what --json
// prints. Schema id "impnet-peer/report@1"; see schema.ts for the JSON Schema
// and README.md for field meanings. Additive changes keep the id; anything
// that renames, removes or changes the meaning of a field bumps it.

import type { Percentiles } from "./histogram.ts";
import type { LossBursts, Mode } from "./common.ts";

export const SCHEMA_ID = "impnet-peer/report@1" as const;
export const TOOL_VERSION = "0.1.0";

export interface MachineInfo {
  os: string;
  release: string;
  arch: string;
  cpuModel: string;
  cpus: number;
  node: string;
  hostname: string;
}

export interface Timeline {
  /** Width of each bin in milliseconds. */
  binMs: number;
  /** Per-bin counts; which series exist depends on the mode. */
  series: Record<string, number[]>;
}

/** [lowMs, highMs, count] of one non-empty latency bucket. */
export type HistogramBucket = [number, number, number];

export interface ErrorCounts {
  send: number;
  receive: number;
  last: string | null;
}

export interface RunOptionsOut {
  count: number | null;
  durationMs: number | null;
  /** Packets/s, 0 = unpaced. */
  rate: number;
  window: number | null;
  timeoutMs: number | null;
  pattern: string | null;
  sizes: number[];
}

export interface EchoResult {
  size: number;
  sent: number;
  /** Unique sequence numbers echoed (corrupted ones included). */
  received: number;
  /** sent - received. */
  lost: number;
  lossRatio: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** Echoes that arrived after their timeout (still counted as received). */
  late: number;
  /** Datagrams that were not echoes of this run (bad magic, run id or sequence). */
  invalid: number;
  lossBursts: LossBursts;
  rttMs: Percentiles | null;
  durationMs: number;
  sentPps: number;
  receivedPps: number;
  /** Datagram bits per second sent / echoed back (UDP payload bytes × 8). */
  sentBitsPerSec: number;
  goodputBitsPerSec: number;
  errors: ErrorCounts;
  rttHistogram: HistogramBucket[];
  /** Series: sent, received, lost (by send time of the sequence number). */
  timeline: Timeline;
}

export interface FloodResult {
  size: number;
  sent: number;
  bytes: number;
  durationMs: number;
  sentPps: number;
  sentBitsPerSec: number;
  errors: ErrorCounts;
  replies: { packets: number; bytes: number };
  /** Series: sent, replies. */
  timeline: Timeline;
}

export interface Responder {
  address: string;
  port: number;
  /** Every datagram from this source. */
  replies: number;
  /** Replies that echoed one of this run's probes. */
  matched: number;
  duplicated: number;
  corrupted: number;
  rttMs: { min: number; mean: number; max: number } | null;
}

export interface BroadcastResult {
  size: number;
  sent: number;
  replies: number;
  responders: Responder[];
  rttMs: Percentiles | null;
  durationMs: number;
  errors: ErrorCounts;
  rttHistogram: HistogramBucket[];
}

export interface SinkSource {
  address: string;
  port: number;
  packets: number;
  bytes: number;
  firstMs: number;
  lastMs: number;
}

export interface SinkStream {
  address: string;
  port: number;
  runId: number;
  pattern: string;
  received: number;
  /** maxSeq + 1: the sender numbers from 0. */
  expected: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  firstSeq: number;
  maxSeq: number;
  lossBursts: LossBursts;
}

export interface SinkResult {
  packets: number;
  bytes: number;
  /** Datagrams carrying the peer's probe header. */
  probes: number;
  /** How long the sink listened. */
  durationMs: number;
  /** From the first to the last datagram; pps and bitsPerSec use this span. */
  activeMs: number;
  pps: number;
  bitsPerSec: number;
  endReason: "count" | "duration" | "idle" | "aborted";
  sources: SinkSource[];
  streams: SinkStream[];
  totals: { received: number; expected: number; lost: number; duplicated: number; reordered: number; corrupted: number };
  errors: ErrorCounts;
  /** Series: packets, lost (lost attributed to when the gap was revealed). */
  timeline: Timeline;
}

interface DocBase {
  schema: typeof SCHEMA_ID;
  tool: { name: "impnet-peer"; version: string };
  date: string;
  finished: string;
  elapsedMs: number;
  machine: MachineInfo;
  target: string | null;
  listen: string | null;
  options: RunOptionsOut;
  aborted: boolean;
}

export interface EchoReport extends DocBase {
  mode: "echo";
  results: EchoResult[];
}
export interface FloodReport extends DocBase {
  mode: "flood";
  results: FloodResult[];
}
export interface BroadcastReport extends DocBase {
  mode: "broadcast";
  results: BroadcastResult[];
}
export interface SinkReport extends DocBase {
  mode: "sink";
  results: SinkResult[];
}

export type PeerReport = EchoReport | FloodReport | BroadcastReport | SinkReport;
export type { Mode };
