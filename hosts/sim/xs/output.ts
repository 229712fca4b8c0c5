import { SEND, SEND_HEADER, SendField, type ByteWriter } from "../protocol";

const CONCAT_BATCH = 256;

/** A growable little-endian byte writer for the reply of one command (records written with protocol.ts). */
export class Output implements ByteWriter {
  bytes = new Uint8Array(65536);
  view = new DataView(this.bytes.buffer);
  length = 0;
  /** Finished pieces of the reply: buffer segments and send payloads, joined by `take()`. */
  private readonly parts: ArrayBuffer[] = [];
  /** Where the buffer's current segment starts. */
  private segment = 0;

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

  /**
   * A SEND record (protocol.ts) whose payload is `data` itself: the header
   * goes into the buffer, the payload joins the reply at `take()` through
   * XS's native ArrayBuffer concat (TypedArray.set copies byte by byte).
   * Written here rather than with `writeSendHeader`: a call per echoed
   * packet would show in every xs-cost figure.
   */
  send(handle: number, to: number, port: number, data: ArrayBuffer): void {
    this.ensure(SEND_HEADER);
    const at = this.length;
    const view = this.view;
    this.bytes[at] = SEND;
    view.setUint32(at + SendField.handle, handle, true);
    view.setUint32(at + SendField.to, to, true);
    view.setUint16(at + SendField.port, port, true);
    view.setUint32(at + SendField.length, data.byteLength, true);
    this.length = at + SEND_HEADER;
    this.parts.push(this.bytes.buffer.slice(this.segment, this.length), data);
    this.segment = this.length;
  }

  /** Takes what was written as a fresh ArrayBuffer (xsnap replies must be plain ArrayBuffers) and starts over. */
  take(): ArrayBuffer {
    const tail = this.bytes.buffer.slice(this.segment, this.length);
    const parts = this.parts;
    let result = tail;
    if (parts.length > 0) {
      parts.push(tail);
      // concat takes its arguments on the XS stack: join a few hundred at a time.
      result = parts[0];
      for (let i = 1; i < parts.length; i += CONCAT_BATCH) result = result.concat(...parts.slice(i, i + CONCAT_BATCH));
      parts.length = 0;
    }
    this.length = 0;
    this.segment = 0;
    return result;
  }
}
