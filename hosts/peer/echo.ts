// echo mode: send sequence-numbered, timestamped probes to a target that echoes
// them, and account for every reply.
//
// Unpaced runs are closed-loop: at most `window` probes are in flight; each
// echo (or each loss timeout) lets one more go. With `rate` the run is
// open-loop: probes leave on schedule whatever comes back.
//
// Hot path: probes are written into a ring of preallocated buffers (reused only
// after Node has reported the send complete), sends share one completion
// callback, sequence state lives in typed arrays, round-trip times go into a
// log-bucket histogram and payloads are verified with one memcmp.

import type dgram from "node:dgram";
import { UsageError, type Endpoint } from "./address.ts";
import {
  BASE_BIN_MS,
  checkCount,
  checkMs,
  checkPattern,
  checkRate,
  checkSizes,
  closeSocket,
  compressTimeline,
  GrowBytes,
  lossBursts,
  nextPow2,
  openSocket,
  Pacer,
  resolveBind,
  resolveTarget,
  round,
  roundedBuckets,
  roundedPercentiles,
  SendRing,
  Series,
  SocketErrors,
  type CommonSendOptions,
} from "./common.ts";
import { realClock, type Clock } from "./clock.ts";
import { LatencyHistogram } from "./histogram.ts";
import { runSizeSteps } from "./machine.ts";
import { HEADER_SIZE, MAGIC0, MAGIC1, patternBlock, patternId, payloadMatches, randomRunId, VERSION } from "./probe.ts";
import type { EchoReport, EchoResult } from "./types.ts";

export interface EchoOptions extends CommonSendOptions {
  /** Probes in flight in unpaced (closed-loop) mode. Default 16. */
  window?: number;
}

export const ECHO_DEFAULTS = { count: 1000, size: 64, window: 16, timeoutMs: 1000 } as const;

const RECEIVED = 1;
const TIMED_OUT = 2;

interface StepParams {
  target: Endpoint;
  bind: Endpoint | null;
  size: number;
  count: number | null;
  durationMs: number | null;
  rate: number;
  window: number;
  timeoutMs: number;
  pid: number;
  signal: AbortSignal | undefined;
  step: number;
  steps: number;
  onProgress: EchoOptions["onProgress"];
  progressIntervalMs: number;
  clock: Clock;
}

async function echoStep(p: StepParams): Promise<EchoResult> {
  const { size, rate, window, timeoutMs, pid, clock } = p;
  const now = () => clock.now();
  const countLimit = p.count ?? Infinity;
  const runId = randomRunId();
  const block = patternBlock(pid, runId);

  const errors = new SocketErrors();
  const sock: dgram.Socket = await openSocket({
    bind: p.bind,
    connect: p.target,
    onError: errors.onSocketError,
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
  });

  // No more than maxOutstanding sends are ever incomplete.
  const ring = new SendRing(size, pid, runId, block, { maxBytes: 4 << 20, cap: 256 });
  const { maxOutstanding } = ring;

  // Send times of recent sequence numbers (ring) and per-sequence status.
  const inFlightBound = rate > 0 ? Math.ceil((rate * timeoutMs) / 1000) * 2 + 1024 : window * 2 + 1024;
  const ringSize = nextPow2(Math.min(inFlightBound, 1 << 22));
  const ringMask = ringSize - 1;
  const sendTime = new Float64Array(ringSize);
  const status = new GrowBytes(p.count !== null ? p.count + 1 : 1 << 16);

  const hist = new LatencyHistogram();
  const sentBins: number[] = []; // first sequence number sent in each 10 ms bin
  const recvSeries = new Series();

  let nextSeq = 0; // == sent
  let completed = 0; // send callbacks seen
  let received = 0;
  let duplicated = 0;
  let reordered = 0;
  let corrupted = 0;
  let late = 0;
  let invalid = 0;
  let inFlight = 0;
  let oldest = 0; // lowest sequence number that may still be unresolved
  let maxSeqSeen = -1;
  let rxBytes = 0;
  let lastSendAt = 0;
  let lastRecvAt = 0;
  let sendingDone = false;
  let finished = false;
  let waitingForCompletions = false;

  const t0 = now();
  const endAt = p.durationMs !== null ? t0 + p.durationMs : Infinity;
  const closedLoop = rate <= 0;

  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));

  const onSent = (err: Error | null) => {
    completed++;
    if (err) errors.sendFailed(err);
    if (waitingForCompletions) {
      waitingForCompletions = false;
      if (closedLoop) pump();
    }
  };

  const tsOf = (t: number) => Math.floor((t - t0) * 1000) >>> 0;

  const sendOne = (): void => {
    const seq = nextSeq;
    const t = now();
    const buf = ring.probe(seq, tsOf(t));
    // A sequence number still unresolved after a full ring is declared lost.
    if (seq >= ringSize) {
      const old = seq - ringSize;
      if (old >= oldest && (status.data[old]! & (RECEIVED | TIMED_OUT)) === 0) {
        status.data[old]! |= TIMED_OUT;
        inFlight--;
      }
    }
    status.ensure(seq);
    sendTime[seq & ringMask] = t;
    const bin = ((t - t0) / BASE_BIN_MS) | 0;
    while (sentBins.length <= bin) sentBins.push(seq);
    nextSeq = seq + 1;
    inFlight++;
    lastSendAt = t;
    sock.send(buf, onSent);
  };

  const canSend = (): boolean => {
    if (sendingDone) return false;
    if (nextSeq >= countLimit || p.signal?.aborted || now() >= endAt) {
      stopSending();
      return false;
    }
    return true;
  };

  // Closed loop: keep `window` probes in flight.
  const pump = (): void => {
    while (inFlight < window && canSend()) {
      if (nextSeq - completed >= maxOutstanding) {
        waitingForCompletions = true;
        return;
      }
      sendOne();
    }
  };

  // Open loop: send until `due` probes have left, in bursts of at most 256.
  const pacer = closedLoop
    ? null
    : new Pacer(rate, clock, (due) => {
        let n = 0;
        while (nextSeq < due && n < 256 && canSend()) {
          if (nextSeq - completed >= maxOutstanding) break;
          sendOne();
          n++;
        }
        return !sendingDone;
      });

  const stopSending = (): void => {
    if (sendingDone) return;
    sendingDone = true;
    pacer?.stop();
    maybeFinish();
  };

  const maybeFinish = (): void => {
    if (sendingDone && inFlight <= 0 && !finished) {
      finished = true;
      finish();
    }
  };

  const onMessage = (msg: Buffer): void => {
    const t = now();
    if (
      msg.length < HEADER_SIZE ||
      msg[0] !== MAGIC0 ||
      msg[1] !== MAGIC1 ||
      msg[2] !== VERSION ||
      msg.readUInt32BE(4) !== runId
    ) {
      invalid++;
      return;
    }
    const seq = msg.readUInt32BE(8);
    if (seq >= nextSeq) {
      invalid++;
      return;
    }
    const st = status.data[seq]!;
    if (st & RECEIVED) {
      duplicated++;
      return;
    }
    status.data[seq] = st | RECEIVED;
    received++;
    rxBytes += msg.length;
    lastRecvAt = t;
    recvSeries.add(((t - t0) / BASE_BIN_MS) | 0);
    if (st & TIMED_OUT) late++;
    else inFlight--;
    let bad = msg.length !== size || msg[3] !== pid || !payloadMatches(msg, block, seq);
    if (seq + ringSize >= nextSeq) {
      const sentAt = sendTime[seq & ringMask]!;
      if (msg.readUInt32BE(12) !== tsOf(sentAt)) bad = true;
      hist.record(t - sentAt);
    }
    if (bad) corrupted++;
    if (seq < maxSeqSeen) reordered++;
    else maxSeqSeen = seq;
    if (closedLoop) pump();
    if (sendingDone) maybeFinish();
  };
  sock.on("message", onMessage);

  // Housekeeping: loss timeouts, end of duration, progress.
  let lastProgress = t0;
  const stopHousekeeping = clock.every(
    Math.max(1, Math.min(50, timeoutMs / 4)),
    () => {
      const t = now();
      const st = status.data;
      while (oldest < nextSeq) {
        const s = st[oldest]!;
        if (s & (RECEIVED | TIMED_OUT)) {
          oldest++;
          continue;
        }
        if (t - sendTime[oldest & ringMask]! < timeoutMs) break;
        st[oldest] = s | TIMED_OUT;
        inFlight--;
        oldest++;
      }
      if (!sendingDone && (t >= endAt || p.signal?.aborted)) stopSending();
      if (closedLoop && !sendingDone) pump();
      if (sendingDone) maybeFinish();
      if (p.onProgress && t - lastProgress >= p.progressIntervalMs) {
        lastProgress = t;
        p.onProgress({ mode: "echo", size, step: p.step, steps: p.steps, elapsedMs: t - t0, sent: nextSeq, received });
      }
    },
  );

  if (closedLoop) pump();
  else pacer!.start(t0);
  if (!sendingDone && nextSeq >= countLimit) stopSending();

  await done;
  stopHousekeeping();
  sock.off("message", onMessage);
  await closeSocket(sock);

  // Accounting.
  const sent = nextSeq;
  const statusArr = status.data;
  const lost = sent - received;
  const bursts = lossBursts(statusArr, 0, sent, RECEIVED);
  const sentSeries: number[] = [];
  const lostSeries: number[] = [];
  for (let b = 0; b < sentBins.length; b++) {
    const from = sentBins[b]!;
    const to = b + 1 < sentBins.length ? sentBins[b + 1]! : sent;
    sentSeries.push(to - from);
    let l = 0;
    for (let s = from; s < to; s++) if ((statusArr[s]! & RECEIVED) === 0) l++;
    lostSeries.push(l);
  }
  const endT = Math.max(lastSendAt, lastRecvAt, t0);
  const durationMs = endT - t0;
  const secs = durationMs > 0 ? durationMs / 1000 : NaN;
  const sendSecs = lastSendAt > t0 ? (lastSendAt - t0) / 1000 : NaN;
  return {
    size,
    sent,
    received,
    lost,
    lossRatio: sent ? round(lost / sent, 6) : 0,
    duplicated,
    reordered,
    corrupted,
    late,
    invalid,
    lossBursts: { ...bursts, mean: round(bursts.mean, 3) },
    rttMs: roundedPercentiles(hist),
    durationMs: round(durationMs, 3),
    sentPps: round(sent > 1 ? (sent - 1) / sendSecs : 0, 1),
    receivedPps: round(received / secs, 1),
    sentBitsPerSec: round(sent > 1 ? ((sent - 1) * size * 8) / sendSecs : 0, 0),
    goodputBitsPerSec: round((rxBytes * 8) / secs, 0),
    errors: errors.counts(),
    rttHistogram: roundedBuckets(hist),
    timeline: compressTimeline({ sent: sentSeries, received: recvSeries.bins, lost: lostSeries }),
  };
}

/** Runs echo mode: one step per datagram size. */
export async function runEcho(options: EchoOptions): Promise<EchoReport> {
  const target = resolveTarget(options.target);
  const sizes = checkSizes(options.size, ECHO_DEFAULTS.size);
  let count = checkCount(options.count);
  const durationMs = checkMs(options.durationMs, "duration");
  if (count === null && durationMs === null) count = ECHO_DEFAULTS.count;
  const rate = checkRate(options.rate);
  const window = options.window ?? ECHO_DEFAULTS.window;
  if (!Number.isInteger(window) || window < 1 || window > 65536) {
    throw new UsageError(`window ${window} must be an integer from 1 to 65536`);
  }
  const timeoutMs = checkMs(options.timeoutMs, "timeout") ?? ECHO_DEFAULTS.timeoutMs;
  const pattern = checkPattern(options.pattern);
  const bind = resolveBind(options.bind);
  const clock = options.clock ?? realClock;

  const runOptions = { count, durationMs, rate, window: rate > 0 ? null : window, timeoutMs, pattern, sizes };
  return runSizeSteps("echo", target, sizes, runOptions, options.signal, clock, (size, i) =>
    echoStep({
      target,
      bind,
      size,
      count,
      durationMs,
      rate,
      window,
      timeoutMs,
      pid: patternId(pattern),
      signal: options.signal,
      step: i,
      steps: sizes.length,
      onProgress: options.onProgress,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      clock,
    }),
  );
}
