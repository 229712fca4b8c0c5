// flood mode: send probes as fast as the socket takes them (or at `rate`) for
// a duration or a count, to load a device. Reports what was sent and counts
// whatever comes back on the socket.
//
// Unpaced sending keeps at most `maxOutstanding` sends incomplete, yielding to
// the event loop (setImmediate) between batches so replies are still read and
// Node's send queue never grows without bound.

import {
  BASE_BIN_MS,
  checkCount,
  checkMs,
  checkPattern,
  checkRate,
  checkSizes,
  closeSocket,
  compressTimeline,
  openSocket,
  Pacer,
  resolveBind,
  resolveTarget,
  round,
  SendRing,
  Series,
  SocketErrors,
  type CommonSendOptions,
} from "./common.ts";
import { realClock, sleepOn, type Clock } from "./clock.ts";
import { runSizeSteps } from "./machine.ts";
import { patternBlock, patternId, randomRunId } from "./probe.ts";
import type { FloodReport, FloodResult } from "./types.ts";

export type FloodOptions = CommonSendOptions;

export const FLOOD_DEFAULTS = { durationMs: 5000, size: 64 } as const;

async function floodStep(
  o: {
    target: ReturnType<typeof resolveTarget>;
    bind: ReturnType<typeof resolveBind>;
    size: number;
    count: number | null;
    durationMs: number | null;
    rate: number;
    pid: number;
    timeoutMs: number;
    step: number;
    steps: number;
    clock: Clock;
  },
  options: FloodOptions,
): Promise<FloodResult> {
  const { size, rate, pid, clock } = o;
  const now = () => clock.now();
  const countLimit = o.count ?? Infinity;
  const runId = randomRunId();
  const block = patternBlock(pid, runId);
  const errors = new SocketErrors();
  let replies = 0;
  let replyBytes = 0;

  const sock = await openSocket({
    bind: o.bind,
    connect: o.target,
    onError: errors.onSocketError,
    sendBufferSize: 4 << 20,
    recvBufferSize: 1 << 20,
  });

  const ring = new SendRing(size, pid, runId, block, { maxBytes: 2 << 20, cap: 128 });
  const { maxOutstanding } = ring;

  const sentSeries = new Series();
  const replySeries = new Series();
  let sent = 0;
  let completed = 0;
  let lastSendAt = 0;
  let sendingDone = false;
  const t0 = now();
  const endAt = o.durationMs !== null ? t0 + o.durationMs : Infinity;

  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));

  const onSent = (err: Error | null) => {
    completed++;
    if (err) errors.sendFailed(err);
  };
  const onMessage = (msg: Buffer) => {
    replies++;
    replyBytes += msg.length;
    replySeries.add(((now() - t0) / BASE_BIN_MS) | 0);
  };
  sock.on("message", onMessage);

  let binIdx = 0;
  let binStartSent = 0;
  const sendOne = (t: number): void => {
    const seq = sent;
    const buf = ring.probe(seq, Math.floor((t - t0) * 1000) >>> 0);
    sent = seq + 1;
    sock.send(buf, onSent);
  };

  const flushBin = (t: number) => {
    const bin = ((t - t0) / BASE_BIN_MS) | 0;
    if (bin !== binIdx) {
      sentSeries.add(binIdx, sent - binStartSent);
      binStartSent = sent;
      binIdx = bin;
    }
  };

  const stop = () => {
    if (sendingDone) return;
    sendingDone = true;
    pacer?.stop();
    if (imm) clearImmediate(imm);
    finish();
  };

  // Unpaced: batches of sends between event-loop turns.
  let imm: NodeJS.Immediate | null = null;
  const loop = () => {
    imm = null;
    let t = now();
    if (sent >= countLimit || t >= endAt || options.signal?.aborted) return stop();
    let n = 0;
    while (sent - completed < maxOutstanding && sent < countLimit && n < 64) {
      sendOne(t);
      n++;
      if ((n & 15) === 0) t = now();
    }
    lastSendAt = t;
    flushBin(t);
    if (sent >= countLimit) return stop();
    imm = setImmediate(loop);
  };

  const pacer =
    rate > 0
      ? new Pacer(rate, clock, (due) => {
          const t = now();
          if (sent >= countLimit || t >= endAt || options.signal?.aborted) {
            stop();
            return false;
          }
          let n = 0;
          while (sent < due && sent < countLimit && n < 256 && sent - completed < maxOutstanding) {
            sendOne(t);
            n++;
          }
          if (n) lastSendAt = t;
          flushBin(t);
          if (sent >= countLimit) {
            stop();
            return false;
          }
          return true;
        })
      : null;

  let lastProgress = t0;
  const stopHousekeeping = clock.every(50, () => {
    const t = now();
    if (t >= endAt || options.signal?.aborted) stop();
    if (options.onProgress && t - lastProgress >= (options.progressIntervalMs ?? 250)) {
      lastProgress = t;
      options.onProgress({ mode: "flood", size, step: o.step, steps: o.steps, elapsedMs: t - t0, sent, received: replies });
    }
  });

  if (pacer) pacer.start(t0);
  else loop();
  await done;
  stopHousekeeping();
  sentSeries.add(binIdx, sent - binStartSent);
  // Let the last sends complete and late replies arrive.
  const drainUntil = realClock.now() + Math.min(o.timeoutMs, 2000);
  while (completed < sent && realClock.now() < drainUntil) await new Promise((r) => setImmediate(r));
  const sendEnd = Math.max(lastSendAt, t0);
  // Replies that are still on their way are counted for `timeoutMs` more.
  await sleepOn(clock, o.timeoutMs);
  sock.off("message", onMessage);
  await closeSocket(sock);

  const durationMs = sendEnd - t0;
  const secs = durationMs / 1000;
  return {
    size,
    sent,
    bytes: sent * size,
    durationMs: round(durationMs, 3),
    sentPps: round(secs > 0 ? sent / secs : 0, 1),
    sentBitsPerSec: round(secs > 0 ? (sent * size * 8) / secs : 0, 0),
    errors: errors.counts(),
    replies: { packets: replies, bytes: replyBytes },
    timeline: compressTimeline({ sent: sentSeries.bins, replies: replySeries.bins }),
  };
}

/** Runs flood mode: one step per datagram size. */
export async function runFlood(options: FloodOptions): Promise<FloodReport> {
  const target = resolveTarget(options.target);
  const sizes = checkSizes(options.size, FLOOD_DEFAULTS.size);
  const count = checkCount(options.count);
  let durationMs = checkMs(options.durationMs, "duration");
  if (count === null && durationMs === null) durationMs = FLOOD_DEFAULTS.durationMs;
  const rate = checkRate(options.rate);
  const timeoutMs = checkMs(options.timeoutMs, "timeout") ?? 200;
  const pattern = checkPattern(options.pattern);
  const bind = resolveBind(options.bind);
  const clock = options.clock ?? realClock;
  const runOptions = { count, durationMs, rate, window: null, timeoutMs, pattern, sizes };
  return runSizeSteps("flood", target, sizes, runOptions, options.signal, clock, (size, i) =>
    floodStep({ target, bind, size, count, durationMs, rate, pid: patternId(pattern), timeoutMs, step: i, steps: sizes.length, clock }, options),
  );
}
