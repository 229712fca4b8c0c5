import test from "ava";
import fc from "fast-check";
import { allowedRange, formatIPv4, parseIPv4, parseTarget, TargetRefusedError } from "../../tools/peer/address.ts";
import { runBroadcast } from "../../tools/peer/broadcast.ts";
import { runEcho } from "../../tools/peer/echo.ts";
import { runFlood } from "../../tools/peer/flood.ts";
import { LatencyHistogram } from "../../tools/peer/histogram.ts";
import { decodeProbe, encodeProbe, HEADER_SIZE, patternBlock, PATTERNS, patternId, payloadMatches, probeIntact } from "../../tools/peer/probe.ts";

// --- addresses -------------------------------------------------------------

function inCidr(n: number, base: string, bits: number): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((n & mask) >>> 0) === ((parseIPv4(base) & mask) >>> 0);
}

test("allowedRange: loopback and the three private ranges, nothing else", (t) => {
  t.is(allowedRange("127.0.0.1"), "loopback");
  t.is(allowedRange("127.255.255.254"), "loopback");
  t.is(allowedRange("10.0.0.0"), "private");
  t.is(allowedRange("10.77.3.255"), "private");
  t.is(allowedRange("172.16.0.1"), "private");
  t.is(allowedRange("172.31.255.255"), "private");
  t.is(allowedRange("192.168.0.1"), "private");
  for (const a of ["172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0", "11.0.0.1", "9.255.255.255", "8.8.8.8", "255.255.255.255", "0.0.0.0", "224.0.0.251", "169.254.0.1", "100.64.0.1"]) {
    t.is(allowedRange(a), null, a);
  }
  t.is(allowedRange("not an address"), null);
  t.is(allowedRange("010.0.0.1"), null);
});

test("allowedRange agrees with CIDR arithmetic for every IPv4 address (property)", (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
      const a = formatIPv4(n);
      const want = inCidr(n, "127.0.0.0", 8)
        ? "loopback"
        : inCidr(n, "10.0.0.0", 8) || inCidr(n, "172.16.0.0", 12) || inCidr(n, "192.168.0.0", 16)
          ? "private"
          : null;
      return parseIPv4(a) === n && allowedRange(a) === want;
    }),
    { numRuns: 20_000 },
  );
  t.pass();
});

test("parseTarget rejects malformed endpoints", (t) => {
  t.deepEqual(parseTarget("10.1.2.3:65535"), { address: "10.1.2.3", port: 65535 });
  for (const bad of ["10.1.2.3", ":80", "10.1.2:80", "10.1.2.3:", "10.1.2.3:-1", "10.1.2.3:1e3", "[::1]:80", "1.2.3.4.5:6"]) {
    t.throws(() => parseTarget(bad), undefined, bad);
  }
});

test("the API refuses public targets before sending anything", async (t) => {
  for (const target of ["8.8.8.8:53", "1.1.1.1:7", { address: "203.0.113.5", port: 7 }]) {
    await t.throwsAsync(runEcho({ target, count: 1 }), { instanceOf: TargetRefusedError, message: /refusing to send/ });
    await t.throwsAsync(runFlood({ target, count: 1 }), { instanceOf: TargetRefusedError });
    await t.throwsAsync(runBroadcast({ target, count: 1 }), { instanceOf: TargetRefusedError });
  }
  await t.throwsAsync(runBroadcast({ target: "255.255.255.255:7", count: 1 }), { instanceOf: TargetRefusedError });
});

// --- probe format ----------------------------------------------------------

test("probe header round-trips", (t) => {
  const buf = encodeProbe(Buffer.alloc(64), patternId("counter"), 0xdeadbeef, 123456, 987654321);
  t.deepEqual(decodeProbe(buf), { pattern: 3, runId: 0xdeadbeef, seq: 123456, timestampUs: 987654321 });
  t.is(buf.length, 64);
  t.true(probeIntact(buf));
  t.true(probeIntact(encodeProbe(Buffer.alloc(HEADER_SIZE), 0, 1, 2, 3)), "a header-only probe is valid");
  t.is(decodeProbe(Buffer.from("hello, world, not a probe")), null);
});

test("patterns produce the documented payload bytes", (t) => {
  const zeros = encodeProbe(Buffer.alloc(40), patternId("zeros"), 1, 7, 0);
  const ones = encodeProbe(Buffer.alloc(40), patternId("ones"), 1, 7, 0);
  const counter = encodeProbe(Buffer.alloc(40), patternId("counter"), 1, 7, 0);
  t.true(zeros.subarray(HEADER_SIZE).every((b) => b === 0));
  t.true(ones.subarray(HEADER_SIZE).every((b) => b === 0xff));
  t.deepEqual([...counter.subarray(HEADER_SIZE, HEADER_SIZE + 4)], [7, 8, 9, 10]);
  const r1 = encodeProbe(Buffer.alloc(200), 0, 1, 0, 0);
  const r2 = encodeProbe(Buffer.alloc(200), 0, 2, 0, 0);
  t.notDeepEqual(r1.subarray(HEADER_SIZE), r2.subarray(HEADER_SIZE), "random payload depends on the run id");
});

test("any damaged payload byte is detected, for every pattern (property)", (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PATTERNS),
      fc.integer({ min: HEADER_SIZE + 1, max: 3000 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (pattern, size, runId, seq, pos, xor) => {
        const pid = patternId(pattern);
        const block = patternBlock(pid, runId);
        const buf = encodeProbe(Buffer.alloc(size), pid, runId, seq, 0);
        if (!payloadMatches(buf, block, seq)) return false;
        const i = HEADER_SIZE + (pos % (size - HEADER_SIZE));
        buf[i] = buf[i]! ^ xor;
        return !payloadMatches(buf, block, seq);
      },
    ),
    { numRuns: 3000 },
  );
  t.pass();
});

test("a truncated or extended payload does not match the sequence's payload", (t) => {
  const pid = patternId("zeros");
  const full = encodeProbe(Buffer.alloc(100), pid, 9, 5, 0);
  // payloadMatches only looks at the bytes present; the echo engine also checks the length.
  t.true(payloadMatches(full.subarray(0, 50), patternBlock(pid, 9), 5));
  const counter = encodeProbe(Buffer.alloc(100), patternId("counter"), 9, 5, 0);
  t.false(payloadMatches(counter, patternBlock(patternId("counter"), 9), 6), "the payload of seq 5 is not that of seq 6");
});

// --- histogram ---------------------------------------------------------------

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

test("histogram percentiles are within 1% of the exact ones", (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.005, max: 5000, noNaN: true }), { minLength: 1, maxLength: 2000 }),
      (values) => {
        const h = new LatencyHistogram();
        for (const v of values) h.record(v);
        const sorted = [...values].sort((a, b) => a - b);
        const p = h.percentiles()!;
        if (p.samples !== values.length) return false;
        if (p.min !== sorted[0] || p.max !== sorted[sorted.length - 1]) return false;
        for (const [q, got] of [
          [0.5, p.p50],
          [0.9, p.p90],
          [0.99, p.p99],
          [0.999, p.p999],
        ] as const) {
          const want = exactQuantile(sorted, q);
          // 0.8% relative bucket width, or one 0.1 µs tick for tiny values
          if (Math.abs(got - want) > Math.max(want * 0.01, 0.0001)) return false;
        }
        return p.min <= p.p50 && p.p50 <= p.p90 && p.p90 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max;
      },
    ),
    { numRuns: 300 },
  );
  t.is(new LatencyHistogram().percentiles(), null);
});

test("histogram buckets cover every sample", (t) => {
  const h = new LatencyHistogram();
  const values = [0.01, 0.05, 0.05, 0.3, 2, 2.01, 40, 1000];
  for (const v of values) h.record(v);
  const b = h.buckets();
  t.is(
    b.reduce((s, x) => s + x[2], 0),
    values.length,
  );
  for (const v of values) t.true(b.some(([lo, hi]) => v >= lo - 1e-9 && v < hi + 1e-9), String(v));
});
