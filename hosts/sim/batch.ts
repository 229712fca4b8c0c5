/**
 * The supervisor's next command to XS, built in place as an xsnap
 * netstring: room for the "LENGTH:?" header in front, so the whole frame
 * goes to the pipe in one write. Records are written with protocol.ts.
 */
import type { ByteWriter } from "./protocol";

export class Batch implements ByteWriter {
  static readonly HEADER_ROOM = 16;
  /** Where records start: after the header room and the command's f64 board time. */
  static readonly START = Batch.HEADER_ROOM + 8;
  bytes = Buffer.allocUnsafe(1 << 20);
  view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  length = Batch.START;
  /** PACKET records in this batch. */
  packets = 0;

  ensure(n: number): void {
    // +1: the netstring's trailing comma.
    if (this.length + n + 1 <= this.bytes.byteLength) return;
    let size = this.bytes.byteLength * 2;
    while (size < this.length + n + 1) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.bytes.copy(bigger, 0, 0, this.length);
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
  }

  get empty(): boolean {
    return this.length === Batch.START;
  }

  reset(): void {
    this.length = Batch.START;
    this.packets = 0;
  }

  /** Stamps the board time and frames the command; returns the frame (a view of the buffer). */
  frame(now: number): Buffer {
    const bytes = this.bytes;
    bytes.writeDoubleLE(now, Batch.HEADER_ROOM);
    const header = `${this.length - Batch.HEADER_ROOM + 1}:?`;
    const start = Batch.HEADER_ROOM - header.length;
    bytes.write(header, start, "latin1");
    bytes[this.length] = 0x2c; // ","
    return bytes.subarray(start, this.length + 1);
  }
}
