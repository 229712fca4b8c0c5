// sink mode: listen on a port and account for what arrives (for example a
// device app relaying data to the PC). Every datagram is counted per source;
// datagrams carrying the peer's probe header are also accounted per stream
// (source address, port and run id): duplicates, reordering, corrupted
// payloads, and losses as gaps in the sequence numbers (the sender numbers
// from 0, so expected = highest sequence + 1). The sink never sends.

import { formatEndpoint, parseListen, UsageError, type Endpoint } from "./address.ts";
import {
  BASE_BIN_MS,
  checkCount,
  checkMs,
  closeSocket,
  compressTimeline,
  GrowBytes,
  GrowU32,
  lossBursts,
  openSocket,
  round,
  Series,
  SocketErrors,
  type ProgressInfo,
} from "./common.ts";
import { realClock, type Clock } from "./clock.ts";
import { docBase } from "./machine.ts";
import { HEADER_SIZE, isKnownPatternId, MAGIC0, MAGIC1, patternBlock, PATTERNS, payloadMatches, VERSION } from "./probe.ts";
import type { SinkReport, SinkResult, SinkSource, SinkStream } from "./types.ts";

export interface SinkOptions {
  /** "[ADDRESS:]PORT", a port number, or an endpoint (default address 0.0.0.0). */
  listen: string | number | Endpoint;
  /** Stop after this many datagrams. */
  count?: number;
  /** Stop after listening this long. */
  durationMs?: number;
  /** Stop after this long without a datagram (counted from the start until the first one). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: ProgressInfo) => void;
  progressIntervalMs?: number;
  /** Called once the socket is bound (with the actual port, useful with port 0). */
  onListening?: (ep: Endpoint) => void;
  /** Time source and timers (default: the wall clock); tests pass a ManualClock. */
  clock?: Clock;
  /** Called after each datagram is counted, with the count so far (lets a caller wait for traffic). */
  onDatagram?: (packets: number) => void;
}

const RECEIVED = 1;
/** Highest sequence number a stream may use (bounds memory against garbage). */
const MAX_STREAM_SEQ = 1 << 26;

class StreamState {
  readonly status = new GrowBytes(4096, MAX_STREAM_SEQ);
  /** Arrival bin + 1 of each received sequence number (0 = not received). */
  readonly arrival = new GrowU32(4096, MAX_STREAM_SEQ);
  readonly block: Buffer | null;
  received = 0;
  duplicated = 0;
  reordered = 0;
  corrupted = 0;
  outOfRange = 0;
  firstSeq = -1;
  maxSeq = -1;
  constructor(
    readonly source: SourceState,
    readonly runId: number,
    readonly pid: number,
  ) {
    this.block = isKnownPatternId(pid) ? patternBlock(pid, runId) : null;
  }
}

class SourceState {
  packets = 0;
  bytes = 0;
  firstMs = 0;
  lastMs = 0;
  readonly streams = new Map<number, StreamState>();
  lastStream: StreamState | null = null;
  constructor(
    readonly address: string,
    readonly port: number,
  ) {}
}

export async function runSink(options: SinkOptions): Promise<SinkReport> {
  const listen: Endpoint =
    typeof options.listen === "number"
      ? parseListen(String(options.listen), "0.0.0.0", true)
      : typeof options.listen === "string"
        ? parseListen(options.listen, "0.0.0.0", true)
        : options.listen;
  const count = checkCount(options.count);
  const durationMs = checkMs(options.durationMs, "duration");
  const timeoutMs = checkMs(options.timeoutMs, "timeout");
  if (listen.port === undefined) throw new UsageError("sink needs a port to listen on");
  const clock = options.clock ?? realClock;
  const now = () => clock.now();

  const errors = new SocketErrors();
  const startDate = new Date();
  const sock = await openSocket({ bind: listen, onError: errors.onSocketError, recvBufferSize: 4 << 20 });
  const bound = sock.address();
  const boundEp = { address: bound.address, port: bound.port };
  options.onListening?.(boundEp);

  const t0 = now();
  const sources = new Map<string, SourceState>();
  let lastSource: SourceState | null = null;
  const packetsSeries = new Series();
  let packets = 0;
  let bytes = 0;
  let probes = 0;
  let firstAt = -1;
  let lastAt = -1;
  let endReason: SinkResult["endReason"] = "aborted";
  /** When the sink decided to end (not when the caller got around to the report). */
  let tEnd = t0;
  let finished = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const end = (why: SinkResult["endReason"]) => {
    if (finished) return;
    finished = true;
    endReason = why;
    tEnd = now();
    finish();
  };

  const onMessage = (msg: Buffer, rinfo: { address: string; port: number }) => {
    if (finished) return;
    const t = now();
    const rel = t - t0;
    const bin = (rel / BASE_BIN_MS) | 0;
    packets++;
    bytes += msg.length;
    if (firstAt < 0) firstAt = t;
    lastAt = t;
    packetsSeries.add(bin);

    let src = lastSource;
    if (src === null || src.port !== rinfo.port || src.address !== rinfo.address) {
      const key = `${rinfo.address}:${rinfo.port}`;
      src = sources.get(key) ?? null;
      if (src === null) {
        src = new SourceState(rinfo.address, rinfo.port);
        src.firstMs = rel;
        sources.set(key, src);
      }
      lastSource = src;
    }
    src.packets++;
    src.bytes += msg.length;
    src.lastMs = rel;

    if (msg.length >= HEADER_SIZE && msg[0] === MAGIC0 && msg[1] === MAGIC1 && msg[2] === VERSION) {
      probes++;
      const runId = msg.readUInt32BE(4);
      let st = src.lastStream;
      if (st === null || st.runId !== runId) {
        st = src.streams.get(runId) ?? null;
        if (st === null) {
          st = new StreamState(src, runId, msg[3]!);
          src.streams.set(runId, st);
        }
        src.lastStream = st;
      }
      const seq = msg.readUInt32BE(8);
      if (!st.status.ensure(seq) || !st.arrival.ensure(seq)) {
        st.outOfRange++;
      } else {
        const s = st.status.data[seq]!;
        if (s & RECEIVED) {
          st.duplicated++;
        } else {
          st.status.data[seq] = s | RECEIVED;
          st.arrival.data[seq] = bin + 1;
          st.received++;
          if (st.firstSeq < 0) st.firstSeq = seq;
          if (seq < st.maxSeq) st.reordered++;
          else st.maxSeq = seq;
          if (st.block === null || msg[3] !== st.pid || !payloadMatches(msg, st.block, seq)) st.corrupted++;
        }
      }
    }
    options.onDatagram?.(packets);
    if (count !== null && packets >= count) end("count");
  };
  sock.on("message", onMessage);

  let lastProgress = t0;
  const stopTimer = clock.every(10, () => {
    const t = now();
    if (options.signal?.aborted) return end("aborted");
    if (durationMs !== null && t - t0 >= durationMs) return end("duration");
    if (timeoutMs !== null && t - (lastAt >= 0 ? lastAt : t0) >= timeoutMs) return end("idle");
    if (options.onProgress && t - lastProgress >= (options.progressIntervalMs ?? 250)) {
      lastProgress = t;
      options.onProgress({ mode: "sink", size: null, step: 0, steps: 1, elapsedMs: t - t0, sent: 0, received: packets });
    }
  });
  const onAbort = () => end("aborted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) end("aborted");

  await done;
  stopTimer();
  options.signal?.removeEventListener("abort", onAbort);
  sock.off("message", onMessage);
  await closeSocket(sock);

  // Accounting.
  const lostSeries: number[] = [];
  const outSources: SinkSource[] = [];
  const outStreams: SinkStream[] = [];
  const totals = { received: 0, expected: 0, lost: 0, duplicated: 0, reordered: 0, corrupted: 0 };
  for (const src of sources.values()) {
    outSources.push({
      address: src.address,
      port: src.port,
      packets: src.packets,
      bytes: src.bytes,
      firstMs: round(src.firstMs, 3),
      lastMs: round(src.lastMs, 3),
    });
    for (const st of src.streams.values()) {
      const expected = st.maxSeq + 1;
      const lost = expected - st.received;
      // Attribute each lost sequence number to the arrival bin of the next
      // higher received one (the datagram that revealed the gap).
      let revealBin = 0;
      for (let s = st.maxSeq; s >= 0; s--) {
        const a = st.arrival.data[s]!;
        if (a) revealBin = a - 1;
        else {
          while (lostSeries.length <= revealBin) lostSeries.push(0);
          lostSeries[revealBin]!++;
        }
      }
      const bursts = lossBursts(st.status.data, 0, expected, RECEIVED);
      outStreams.push({
        address: src.address,
        port: src.port,
        runId: st.runId,
        pattern: PATTERNS[st.pid] ?? `unknown(${st.pid})`,
        received: st.received,
        expected,
        lost,
        duplicated: st.duplicated,
        reordered: st.reordered,
        corrupted: st.corrupted,
        firstSeq: st.firstSeq,
        maxSeq: st.maxSeq,
        lossBursts: { ...bursts, mean: round(bursts.mean, 3) },
      });
      totals.received += st.received;
      totals.expected += expected;
      totals.lost += lost;
      totals.duplicated += st.duplicated;
      totals.reordered += st.reordered;
      totals.corrupted += st.corrupted;
    }
  }
  outSources.sort((a, b) => b.packets - a.packets);
  const activeMs = firstAt >= 0 ? lastAt - firstAt : 0;
  const activeSecs = activeMs / 1000;
  const result: SinkResult = {
    packets,
    bytes,
    probes,
    durationMs: round(tEnd - t0, 3),
    activeMs: round(activeMs, 3),
    pps: round(activeSecs > 0 ? (packets - 1) / activeSecs : 0, 1),
    bitsPerSec: round(activeSecs > 0 ? (bytes * 8) / activeSecs : 0, 0),
    endReason,
    sources: outSources,
    streams: outStreams,
    totals,
    errors: errors.counts(),
    timeline: compressTimeline({ packets: packetsSeries.bins, lost: lostSeries }),
  };
  return {
    ...docBase(
      startDate,
      t0,
      tEnd,
      null,
      formatEndpoint(boundEp),
      { count, durationMs, rate: 0, window: null, timeoutMs, pattern: null, sizes: [] },
      endReason === "aborted",
    ),
    mode: "sink",
    results: [result],
  };
}
