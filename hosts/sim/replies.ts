/**
 * Decodes the records of XS's reply to a command (protocol.ts) and hands
 * each to the supervisor, in order.
 */
import * as P from "./protocol";

/** What the supervisor does with each reply record. */
export interface ReplyHandler {
  /** SEND: `length` payload bytes at `at` in `bytes`, from socket `handle` to `to`:`port`. */
  send(handle: number, to: number, port: number, bytes: Buffer, at: number, length: number): void;
  log(level: number, text: string): void;
  close(handle: number): void;
  linkStarted(name: string): void;
  /** Board time of the next timer, or -1. */
  wake(at: number): void;
  agent(name: string, json: string): void;
  crash(text: string): void;
  stats(sockets: number, timers: number): void;
}

/** Handles every record in `bytes`; returns false after a crash or a malformed record (the rest is dropped). */
export function handleReply(bytes: Buffer, handler: ReplyHandler): boolean {
  const reader: P.ByteReader = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), at: 0 };
  while (reader.at < bytes.byteLength) {
    const start = reader.at;
    const type = P.readU8(reader);
    switch (type) {
      case P.SEND: {
        const view = reader.view;
        const length = view.getUint32(start + P.SendField.length, true);
        const at = start + P.SEND_HEADER;
        handler.send(view.getUint32(start + P.SendField.handle, true), view.getUint32(start + P.SendField.to, true), view.getUint16(start + P.SendField.port, true), bytes, at, length);
        reader.at = at + length;
        break;
      }
      case P.LOG: {
        const level = P.readU8(reader);
        handler.log(level, P.readText(reader, 4));
        break;
      }
      case P.CLOSE:
        handler.close(P.readU32(reader));
        break;
      case P.LINKSTART:
        handler.linkStarted(P.readText(reader, 1));
        break;
      case P.WAKE:
        handler.wake(P.readF64(reader));
        break;
      case P.AGENTSEND: {
        const name = P.readText(reader, 2);
        handler.agent(name, P.readText(reader, 4));
        break;
      }
      case P.CRASH:
        handler.crash(P.readText(reader, 4));
        return false;
      case P.STATS: {
        const sockets = P.readU32(reader);
        handler.stats(sockets, P.readU32(reader));
        break;
      }
      default:
        handler.crash(`simulator protocol error: reply record ${type}`);
        return false;
    }
  }
  return true;
}
