// Log-linear latency histogram (HDR-style): values are kept in ticks of
// 0.1 µs; ticks below 256 have their own bucket, above that each power of two
// is split into 128 buckets, so any reported percentile is within 0.8 % of the
// true value. Recording is a few integer operations and one array increment.
// Exact minimum, maximum and mean are tracked on the side.

const TICKS_PER_MS = 10_000; // 0.1 µs ticks
const SUB = 128;
const SUB_SHIFT = 7;
const LINEAR = 256;
const MAX_TICKS = 0x7fffffff; // ≈ 214 s
const BUCKETS = LINEAR + 23 * SUB;

function bucketOf(t: number): number {
  if (t < LINEAR) return t;
  const e = 31 - Math.clz32(t) - SUB_SHIFT; // >= 1
  return LINEAR + (e - 1) * SUB + ((t >>> e) - SUB);
}

function bucketLow(i: number): number {
  if (i < LINEAR) return i;
  const k = i - LINEAR;
  const e = (k >>> SUB_SHIFT) + 1;
  return ((k & (SUB - 1)) + SUB) * 2 ** e;
}

function bucketWidth(i: number): number {
  if (i < LINEAR) return 1;
  return 2 ** (((i - LINEAR) >>> SUB_SHIFT) + 1);
}

export interface Percentiles {
  samples: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;

  /** Records one value in milliseconds. */
  record(ms: number): void {
    if (ms < 0) ms = 0;
    let t = Math.round(ms * TICKS_PER_MS);
    if (t > MAX_TICKS) t = MAX_TICKS;
    this.counts[bucketOf(t)]!++;
    this.count++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sumMs += other.sumMs;
    if (other.minMs < this.minMs) this.minMs = other.minMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  /** Value (ms) at quantile q in [0, 1]: midpoint of the bucket, clamped to [min, max]. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const mid = (bucketLow(i) + (bucketWidth(i) - 1) / 2) / TICKS_PER_MS;
        return Math.min(this.maxMs, Math.max(this.minMs, mid));
      }
    }
    return this.maxMs;
  }

  percentiles(): Percentiles | null {
    if (this.count === 0) return null;
    return {
      samples: this.count,
      min: this.minMs,
      mean: this.sumMs / this.count,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.maxMs,
    };
  }

  /** Non-empty buckets as [lowMs, highMs, count] triples, ascending. */
  buckets(): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i]!;
      if (c > 0) {
        const lo = bucketLow(i);
        out.push([lo / TICKS_PER_MS, (lo + bucketWidth(i)) / TICKS_PER_MS, c]);
      }
    }
    return out;
  }
}
