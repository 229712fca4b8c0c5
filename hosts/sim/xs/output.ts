import { SEND, SEND_HEADER } from "../protocol";

/** A growable little-endian byte writer for the reply of one command. */
export class Output {
  private bytes = new Uint8Array(65536);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }

  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value;
  }

  u16(value: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, value, true);
    this.length += 2;
  }

  u32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  f64(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** A SEND record (protocol.ts) with a copy of `data`: one bounds check, no calls per field. */
  send(handle: number, to: number, port: number, data: Uint8Array): void {
    const length = data.byteLength;
    this.ensure(SEND_HEADER + length);
    const at = this.length;
    const view = this.view;
    this.bytes[at] = SEND;
    view.setUint32(at + 1, handle, true);
    view.setUint32(at + 5, to, true);
    view.setUint16(at + 9, port, true);
    view.setUint32(at + 11, length, true);
    this.bytes.set(data, at + SEND_HEADER);
    this.length = at + SEND_HEADER + length;
  }

  /** Appends a copy of `data`. */
  copy(data: Uint8Array): void {
    this.ensure(data.byteLength);
    this.bytes.set(data, this.length);
    this.length += data.byteLength;
  }

  /** Takes what was written as a fresh ArrayBuffer (xsnap replies must be plain ArrayBuffers) and starts over. */
  take(): ArrayBuffer {
    const result = this.bytes.buffer.slice(0, this.length);
    this.length = 0;
    return result;
  }
}
