/**
 * Hardware-in-loop: echo correctness, payload integrity, a long sequence and
 * replies to ephemeral ports, against the target of target.ts (the XS
 * simulator with main.ts unless IMPNET_DEVICE names a device).
 */
import test from "ava";
import { runEcho, type EchoResult, type Pattern } from "../../hosts/peer/index";
import { metrics, openTarget, type HilTarget } from "./target";

let target: HilTarget;

test.before(async () => {
  target = await openTarget("127.0.0.3");
});

test.after.always(async () => {
  await target?.stop();
});

function describe(result: EchoResult): string {
  return metrics({
    size: result.size,
    sent: result.sent,
    received: result.received,
    lost: result.lost,
    duplicated: result.duplicated,
    reordered: result.reordered,
    corrupted: result.corrupted,
    p50ms: result.rttMs?.p50 ?? NaN,
    p99ms: result.rttMs?.p99 ?? NaN,
    maxms: result.rttMs?.max ?? NaN,
    pps: Math.round(result.receivedPps),
  });
}

function pacing(): { rate?: number; window?: number } {
  return target.rate > 0 ? { rate: target.rate } : { window: 16 };
}

test.serial("echo is byte-exact over a size sweep up to the largest datagram the target supports", async (t) => {
  const sizes = [16, 64, 256, 512, 1024, 1400, 1472, 2048, 4096, 8192, 16384, 32768, 65507].filter((s) => s <= target.maxDatagram);
  if (!sizes.includes(target.maxDatagram)) sizes.push(target.maxDatagram);
  const report = await runEcho({ target: target.target, size: sizes, count: 50, timeoutMs: target.lossTimeoutMs, pattern: "random", ...pacing() });
  t.log(`target ${target.kind} ${target.target}`);
  for (const result of report.results) {
    t.log(describe(result));
    t.is(result.corrupted, 0, `size ${result.size}`);
    t.is(result.duplicated, 0, `size ${result.size}`);
    t.true(result.lost <= Math.floor(result.sent * target.maxLoss), `size ${result.size}: lost ${result.lost}`);
  }
  t.deepEqual(
    report.results.map((r) => r.size),
    sizes,
  );
});

for (const pattern of ["zeros", "ones", "counter", "random"] as Pattern[]) {
  test.serial(`payload integrity: ${pattern} bytes come back unchanged`, async (t) => {
    const size = Math.min(1400, target.maxDatagram);
    const report = await runEcho({ target: target.target, size, count: 300, pattern, timeoutMs: target.lossTimeoutMs, ...pacing() });
    const [result] = report.results;
    t.log(describe(result));
    t.is(result.corrupted, 0);
    t.is(result.received + result.lost, result.sent);
    t.true(result.lost <= Math.floor(result.sent * target.maxLoss));
  });
}

test.serial("a long sequence: loss, duplicates and reordering accounted (none on loopback)", async (t) => {
  const report = await runEcho({ target: target.target, size: 64, count: target.sequence, timeoutMs: target.lossTimeoutMs, ...(target.rate > 0 ? { rate: target.rate } : { window: 32 }) });
  const [result] = report.results;
  t.log(describe(result));
  t.log(metrics({ lossBursts: JSON.stringify(result.lossBursts) }));
  t.is(result.sent, target.sequence);
  t.is(result.received + result.lost, result.sent);
  t.is(result.corrupted, 0);
  t.true(result.lost <= Math.floor(result.sent * target.maxLoss), `lost ${result.lost}`);
});

test.serial("replies go back to each sender's ephemeral port, from the echo port", async (t) => {
  // Four senders share the target's capacity: each gets a quarter of a paced rate.
  const each = target.rate > 0 ? { rate: target.rate / 4 } : { window: 16 };
  const runs = await Promise.all([0, 1, 2, 3].map(() => runEcho({ target: target.target, size: 128, count: 250, timeoutMs: target.lossTimeoutMs, ...each })));
  for (const report of runs) {
    const [result] = report.results;
    t.log(describe(result));
    t.is(result.invalid, 0, "no datagram of another sender arrived");
    t.is(result.corrupted, 0);
    t.true(result.lost <= Math.floor(result.sent * target.maxLoss));
  }
});
