// The peer's datagram format.
//
//   offset size  field
//   0      2     magic "iN" (0x69 0x4E)
//   2      1     version (1)
//   3      1     payload pattern id (0 random, 1 zeros, 2 ones, 3 counter)
//   4      4     run id, uint32 big-endian (random per run and size step)
//   8      4     sequence number, uint32 big-endian, from 0
//   12     4     send timestamp, uint32 big-endian, microseconds since the
//                start of the run (wraps after 71 minutes; informative only —
//                round-trip times are measured from the sender's own record)
//   16     ...   payload
//
// The payload is a pure function of (pattern, run id, sequence, length): it is
// the slice starting at (seq & 255) of a 64 KiB + 256 byte pattern block, so a
// receiver that sees the header can regenerate and compare it (one memcmp), and
// any damaged payload byte is detected for every pattern. Minimum datagram size
// is therefore the header: 16 bytes; maximum is 65507 (largest UDP/IPv4 payload).

export const MAGIC0 = 0x69;
export const MAGIC1 = 0x4e;
export const VERSION = 1;
export const HEADER_SIZE = 16;
export const MIN_SIZE = HEADER_SIZE;
export const MAX_SIZE = 65507;

export const PATTERNS = ["random", "zeros", "ones", "counter"] as const;
export type Pattern = (typeof PATTERNS)[number];

export function patternId(p: Pattern): number {
  return PATTERNS.indexOf(p);
}

const BLOCK_SIZE = 65536 + 256;

const constantBlocks = new Map<number, Buffer>();
const randomBlocks = new Map<number, Buffer>();

/**
 * The pattern block for a pattern and run id. Payload for sequence `seq` with
 * length L is block[(seq & 255) .. (seq & 255) + L).
 */
export function patternBlock(pid: number, runId: number): Buffer {
  if (pid === 0) {
    let b = randomBlocks.get(runId);
    if (!b) {
      b = Buffer.allocUnsafe(BLOCK_SIZE);
      // xorshift32 seeded from the run id (never zero)
      let x = (runId ^ 0x9e3779b9) >>> 0 || 0x12345678;
      for (let i = 0; i < BLOCK_SIZE; i += 4) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        b.writeUInt32LE(x, i);
      }
      if (randomBlocks.size > 64) randomBlocks.clear();
      randomBlocks.set(runId, b);
    }
    return b;
  }
  let b = constantBlocks.get(pid);
  if (!b) {
    b = Buffer.allocUnsafe(BLOCK_SIZE);
    if (pid === 1) b.fill(0);
    else if (pid === 2) b.fill(0xff);
    else for (let i = 0; i < BLOCK_SIZE; i++) b[i] = i & 255;
    constantBlocks.set(pid, b);
  }
  return b;
}

export function isKnownPatternId(pid: number): boolean {
  return pid >= 0 && pid < PATTERNS.length;
}

/** Writes the fixed part of the header (magic, version, pattern, run id). */
export function writeHeaderFixed(buf: Buffer, pid: number, runId: number): void {
  buf[0] = MAGIC0;
  buf[1] = MAGIC1;
  buf[2] = VERSION;
  buf[3] = pid;
  buf.writeUInt32BE(runId >>> 0, 4);
}

/** Fills a whole probe datagram (header and payload) for `seq`. */
export function encodeProbe(buf: Buffer, pid: number, runId: number, seq: number, timestampUs: number): Buffer {
  writeHeaderFixed(buf, pid, runId);
  buf.writeUInt32BE(seq >>> 0, 8);
  buf.writeUInt32BE(timestampUs >>> 0, 12);
  const off = seq & 255;
  patternBlock(pid, runId).copy(buf, HEADER_SIZE, off, off + buf.length - HEADER_SIZE);
  return buf;
}

/** True when the datagram starts with the peer's magic and version. */
export function hasProbeHeader(msg: Buffer): boolean {
  return msg.length >= HEADER_SIZE && msg[0] === MAGIC0 && msg[1] === MAGIC1 && msg[2] === VERSION;
}

/** True when the payload (bytes 16..end) matches what `seq` must carry. */
export function payloadMatches(msg: Buffer, block: Buffer, seq: number): boolean {
  const off = seq & 255;
  return msg.compare(block, off, off + msg.length - HEADER_SIZE, HEADER_SIZE, msg.length) === 0;
}

/** Decoded header fields (for tools and tests; the hot paths read fields directly). */
export interface ProbeHeader {
  pattern: number;
  runId: number;
  seq: number;
  timestampUs: number;
}

export function decodeProbe(msg: Buffer): ProbeHeader | null {
  if (!hasProbeHeader(msg)) return null;
  return {
    pattern: msg[3]!,
    runId: msg.readUInt32BE(4),
    seq: msg.readUInt32BE(8),
    timestampUs: msg.readUInt32BE(12),
  };
}

/** Full integrity check of a received probe against the header it claims. */
export function probeIntact(msg: Buffer): boolean {
  const h = decodeProbe(msg);
  if (!h || !isKnownPatternId(h.pattern)) return false;
  return payloadMatches(msg, patternBlock(h.pattern, h.runId), h.seq);
}

export function randomRunId(): number {
  return (Math.random() * 0x100000000) >>> 0;
}
