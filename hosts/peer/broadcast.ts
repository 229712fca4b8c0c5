// broadcast mode: send probes to a subnet broadcast address (a socket with
// SO_BROADCAST) and report every source that answered, with round-trip times.
// A reply that echoes one of this run's probes is timed from that probe; any
// other reply is timed from the most recent probe.

import {
  checkCount,
  checkMs,
  checkPattern,
  checkRate,
  checkSizes,
  closeSocket,
  openSocket,
  resolveBind,
  resolveTarget,
  round,
  roundedBuckets,
  roundedPercentiles,
  SocketErrors,
  type CommonSendOptions,
} from "./common.ts";
import { realClock, sleepOn, type Clock } from "./clock.ts";
import { LatencyHistogram } from "./histogram.ts";
import { runSizeSteps } from "./machine.ts";
import { encodeProbe, HEADER_SIZE, MAGIC0, MAGIC1, patternBlock, patternId, payloadMatches, randomRunId, VERSION } from "./probe.ts";
import type { BroadcastReport, BroadcastResult, Responder } from "./types.ts";

export type BroadcastOptions = CommonSendOptions;

export const BROADCAST_DEFAULTS = { count: 3, rate: 2, size: 64, timeoutMs: 1000 } as const;

interface ResponderState {
  address: string;
  port: number;
  replies: number;
  matched: number;
  duplicated: number;
  corrupted: number;
  seen: Set<number>;
  rttMin: number;
  rttMax: number;
  rttSum: number;
  rttN: number;
}

async function broadcastStep(
  o: {
    target: ReturnType<typeof resolveTarget>;
    bind: ReturnType<typeof resolveBind>;
    size: number;
    count: number;
    rate: number;
    pid: number;
    timeoutMs: number;
    durationMs: number | null;
    step: number;
    steps: number;
    clock: Clock;
  },
  options: BroadcastOptions,
): Promise<BroadcastResult> {
  const clock = o.clock;
  const now = () => clock.now();
  const runId = randomRunId();
  const block = patternBlock(o.pid, runId);
  const errors = new SocketErrors();
  const sock = await openSocket({ bind: o.bind, broadcast: true, onError: errors.onSocketError });
  const hist = new LatencyHistogram();
  const responders = new Map<string, ResponderState>();
  const sendTimes: number[] = [];
  let lastProbeAt = 0;
  let replies = 0;
  const t0 = now();

  sock.on("message", (msg: Buffer, rinfo) => {
    const t = now();
    replies++;
    const key = `${rinfo.address}:${rinfo.port}`;
    let r = responders.get(key);
    if (!r) {
      r = {
        address: rinfo.address,
        port: rinfo.port,
        replies: 0,
        matched: 0,
        duplicated: 0,
        corrupted: 0,
        seen: new Set(),
        rttMin: Infinity,
        rttMax: 0,
        rttSum: 0,
        rttN: 0,
      };
      responders.set(key, r);
    }
    r.replies++;
    let sentAt = lastProbeAt;
    if (msg.length >= HEADER_SIZE && msg[0] === MAGIC0 && msg[1] === MAGIC1 && msg[2] === VERSION && msg.readUInt32BE(4) === runId) {
      const seq = msg.readUInt32BE(8);
      if (seq < sendTimes.length) {
        if (r.seen.has(seq)) {
          r.duplicated++;
          return;
        }
        r.seen.add(seq);
        r.matched++;
        sentAt = sendTimes[seq]!;
        if (msg.length !== o.size || msg[3] !== o.pid || !payloadMatches(msg, block, seq)) r.corrupted++;
      }
    }
    const rtt = t - sentAt;
    hist.record(rtt);
    r.rttN++;
    r.rttSum += rtt;
    if (rtt < r.rttMin) r.rttMin = rtt;
    if (rtt > r.rttMax) r.rttMax = rtt;
  });

  const buf = Buffer.alloc(o.size);
  const periodMs = 1000 / o.rate;
  const endAt = o.durationMs !== null ? t0 + o.durationMs : Infinity;
  for (let seq = 0; seq < o.count; seq++) {
    if (options.signal?.aborted || now() >= endAt) break;
    const t = now();
    encodeProbe(buf, o.pid, runId, seq, Math.floor((t - t0) * 1000));
    sendTimes.push(t);
    lastProbeAt = t;
    try {
      await new Promise<void>((resolve) =>
        sock.send(buf, o.target.port, o.target.address, (err) => {
          if (err) errors.sendFailed(err);
          resolve();
        }),
      );
    } catch (err) {
      errors.sendFailed(err);
    }
    options.onProgress?.({ mode: "broadcast", size: o.size, step: o.step, steps: o.steps, elapsedMs: now() - t0, sent: seq + 1, received: replies });
    if (seq + 1 < o.count) {
      const wait = t0 + (seq + 1) * periodMs - now();
      if (wait > 0) await sleepOn(clock, wait);
    }
  }
  // Collect replies for the timeout after the last probe (returns early on abort).
  const collectUntil = now() + o.timeoutMs;
  while (now() < collectUntil && !options.signal?.aborted) await sleepOn(clock, Math.min(20, collectUntil - now()));
  const tEnd = now();
  await closeSocket(sock);

  const out: Responder[] = [...responders.values()]
    .map((r) => ({
      address: r.address,
      port: r.port,
      replies: r.replies,
      matched: r.matched,
      duplicated: r.duplicated,
      corrupted: r.corrupted,
      rttMs: r.rttN ? { min: round(r.rttMin), mean: round(r.rttSum / r.rttN), max: round(r.rttMax) } : null,
    }))
    .sort((a, b) => a.address.localeCompare(b.address, "en", { numeric: true }) || a.port - b.port);
  return {
    size: o.size,
    sent: sendTimes.length,
    replies,
    responders: out,
    rttMs: roundedPercentiles(hist),
    durationMs: round(tEnd - t0, 3),
    errors: errors.counts(),
    rttHistogram: roundedBuckets(hist),
  };
}

export async function runBroadcast(options: BroadcastOptions): Promise<BroadcastReport> {
  const target = resolveTarget(options.target);
  const sizes = checkSizes(options.size, BROADCAST_DEFAULTS.size);
  const count = checkCount(options.count) ?? BROADCAST_DEFAULTS.count;
  const durationMs = checkMs(options.durationMs, "duration");
  const rate = checkRate(options.rate) || BROADCAST_DEFAULTS.rate;
  const timeoutMs = checkMs(options.timeoutMs, "timeout") ?? BROADCAST_DEFAULTS.timeoutMs;
  const pattern = checkPattern(options.pattern);
  const bind = resolveBind(options.bind);
  const clock = options.clock ?? realClock;
  const runOptions = { count, durationMs, rate, window: null, timeoutMs, pattern, sizes };
  return runSizeSteps("broadcast", target, sizes, runOptions, options.signal, clock, (size, i) =>
    broadcastStep({ target, bind, size, count, rate, pid: patternId(pattern), timeoutMs, durationMs, step: i, steps: sizes.length, clock }, options),
  );
}
