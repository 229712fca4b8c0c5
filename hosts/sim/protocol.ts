/**
 * The simulator's wire format between the Node supervisor and the firmware
 * in XS, carried in xsnap `?` commands and their replies. Binary,
 * little-endian, a sequence of records, each starting with a one-byte type.
 * Batching many records per command is what makes the simulator fast: a
 * crossing costs about 40 µs, a packet inside a batch a few µs.
 *
 * Supervisor → XS (command body): f64 now (board ms), then records:
 *   PACKET   u32 handle, u32 from, u16 fromPort, u32 to, u32 length, bytes
 *   LINK     u8 length, interface name, u8 length, event (a LinkEvent)
 *   AGENT    u16 length, name (UTF-8), u32 length, JSON (UTF-8)
 *   START    (run the app)
 *   HEAP     (collect garbage at the end of the command, so the reply's meter counts live slots)
 *   NOTIFY   (deliver the packets queued so far: one onReadable per socket; benchmarks use it)
 *
 * XS → supervisor (reply): records:
 *   SEND     u32 handle, u32 to, u16 port, u32 length, bytes
 *   LOG      u8 level (LOG_INFO, LOG_ERROR, LOG_NOTE, LOG_TRACE), u32 length, UTF-8
 *   CLOSE    u32 handle
 *   LINKSTART u8 length, interface name
 *   WAKE     f64 board ms of the next timer, or -1
 *   AGENTSEND u16 length, name, u32 length, JSON
 *   CRASH    u32 length, UTF-8 (error with XS stack)
 *   STATS    u32 open sockets, u32 timers
 *
 * XS → supervisor synchronous request (issueCommand), answered at once:
 *   BIND     u32 handle, u16 port, u8 interface (index in SimSettings.interfaces, or EVERY_INTERFACE),
 *            then every reply record the command produced before the bind (SEND, CLOSE, LOG, …),
 *            which the supervisor handles first, in order
 *            →  u8 status (BIND_OK, BIND_IN_USE, BIND_FAILED), u16 port, UTF-8 message
 *
 * This module is the one codec of that format, imported by both sides (the
 * XS bundle and Node): field offsets are enums, which esbuild inlines as
 * literals in the firmware bundle, so the XS hot path pays nothing for the
 * names; variable-length fields go through the read/write functions below.
 */
import type { BoardInterfaceSpec, LinkEvent } from "./board/board";
import { formatIPv4, parseIPv4 } from "../../modules/impnet/core/address";

/** What the supervisor puts in `globalThis.impnetSim` before loading the firmware. */
export interface SimSettings {
  interfaces: BoardInterfaceSpec[];
  config: Record<string, unknown>;
  /** 128 bits of the host's entropy (four unsigned 32-bit words) that seed the firmware's `Math.random`. */
  seed: number[];
}

export const PACKET = 1;
export const LINK = 2;
export const AGENT = 3;
export const START = 4;
export const HEAP = 5;
export const NOTIFY = 6;

export const SEND = 1;
export const LOG = 2;
export const CLOSE = 3;
export const LINKSTART = 4;
export const WAKE = 5;
export const AGENTSEND = 6;
export const CRASH = 7;
export const STATS = 9;

export const LOG_INFO = 0;
export const LOG_ERROR = 1;
export const LOG_NOTE = 2;
/** `trace()` text as written: not a line (the supervisor joins and splits it). */
export const LOG_TRACE = 3;

export const BIND = 66;
/** BIND's interface byte for a socket bound to every interface (stock Moddable's IP_ADDR_ANY). */
export const EVERY_INTERFACE = 255;
export const BIND_OK = 0;
export const BIND_IN_USE = 1;
export const BIND_FAILED = 2;

export type { LinkEvent } from "./board/board";

/** Offsets in a PACKET record, from its type byte; `payload` is the header's size. */
export enum PacketField {
  handle = 1,
  from = 5,
  fromPort = 9,
  to = 11,
  length = 15,
  payload = 19,
}
/** Bytes of a PACKET record before its payload. */
export const PACKET_HEADER = PacketField.payload;

/** Offsets in a SEND record, from its type byte; `payload` is the header's size. */
export enum SendField {
  handle = 1,
  to = 5,
  port = 9,
  length = 11,
  payload = 15,
}
/** Bytes of a SEND record before its payload (written on the XS hot path by xs/output.ts). */
export const SEND_HEADER = SendField.payload;

/** Offsets in a BIND request; `records` is where the reply records it carries start. */
export enum BindField {
  handle = 1,
  port = 5,
  iface = 7,
  records = 8,
}
/** Bytes of a BIND request before the records it carries. */
export const BIND_HEADER = BindField.records;

/** Offsets in a BIND answer; `message` (UTF-8, to the end) follows a failure. */
export enum BindAnswerField {
  status = 0,
  port = 1,
  message = 3,
}

/** Bytes being written: the supervisor's command batch or the firmware's reply. */
export interface ByteWriter {
  bytes: Uint8Array;
  view: DataView;
  /** Bytes written so far. */
  length: number;
  /** Makes room for `n` more bytes (may replace `bytes` and `view`). */
  ensure(n: number): void;
}

/** Bytes being read, and where the next field starts. */
export interface ByteReader {
  bytes: Uint8Array;
  view: DataView;
  at: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A PACKET record's header; the caller copies the `length` payload bytes after it. */
export function writePacketHeader(w: ByteWriter, handle: number, from: number, fromPort: number, to: number, length: number): void {
  w.ensure(PACKET_HEADER + length);
  const at = w.length;
  const view = w.view;
  w.bytes[at] = PACKET;
  view.setUint32(at + PacketField.handle, handle, true);
  view.setUint32(at + PacketField.from, from, true);
  view.setUint16(at + PacketField.fromPort, fromPort, true);
  view.setUint32(at + PacketField.to, to, true);
  view.setUint32(at + PacketField.length, length, true);
  w.length = at + PACKET_HEADER;
}

/** A record that is its type byte alone (START, HEAP, NOTIFY, CLOSE's type, …). */
export function writeU8(w: ByteWriter, value: number): void {
  w.ensure(1);
  w.bytes[w.length++] = value;
}

export function writeU32(w: ByteWriter, value: number): void {
  w.ensure(4);
  w.view.setUint32(w.length, value, true);
  w.length += 4;
}

export function writeF64(w: ByteWriter, value: number): void {
  w.ensure(8);
  w.view.setFloat64(w.length, value, true);
  w.length += 8;
}

/** UTF-8 text after a length field of `lengthBytes` (1, 2 or 4). */
export function writeText(w: ByteWriter, text: string, lengthBytes: 1 | 2 | 4): void {
  const bytes = encoder.encode(text);
  w.ensure(lengthBytes + bytes.byteLength);
  const at = w.length;
  if (lengthBytes === 1) w.bytes[at] = bytes.byteLength;
  else if (lengthBytes === 2) w.view.setUint16(at, bytes.byteLength, true);
  else w.view.setUint32(at, bytes.byteLength, true);
  w.bytes.set(bytes, at + lengthBytes);
  w.length = at + lengthBytes + bytes.byteLength;
}

/** LINK record: interface `name` has `event`. */
export function writeLink(w: ByteWriter, name: string, event: LinkEvent): void {
  writeU8(w, LINK);
  writeText(w, name, 1);
  writeText(w, event, 1);
}

/** AGENT (supervisor → XS) or AGENTSEND (XS → supervisor) record: a name and its JSON. */
export function writeAgent(w: ByteWriter, type: typeof AGENT | typeof AGENTSEND, name: string, json: string): void {
  writeU8(w, type);
  writeText(w, name, 2);
  writeText(w, json, 4);
}

/** LOG record at `level`. */
export function writeLog(w: ByteWriter, level: number, text: string): void {
  writeU8(w, LOG);
  writeU8(w, level);
  writeText(w, text, 4);
}

/** CRASH record. */
export function writeCrash(w: ByteWriter, text: string): void {
  writeU8(w, CRASH);
  writeText(w, text, 4);
}

export function readU8(r: ByteReader): number {
  return r.bytes[r.at++];
}

export function readU16(r: ByteReader): number {
  const value = r.view.getUint16(r.at, true);
  r.at += 2;
  return value;
}

export function readU32(r: ByteReader): number {
  const value = r.view.getUint32(r.at, true);
  r.at += 4;
  return value;
}

export function readF64(r: ByteReader): number {
  const value = r.view.getFloat64(r.at, true);
  r.at += 8;
  return value;
}

/** UTF-8 text after a length field of `lengthBytes` (1, 2 or 4). */
export function readText(r: ByteReader, lengthBytes: 1 | 2 | 4): string {
  const length = lengthBytes === 1 ? readU8(r) : lengthBytes === 2 ? readU16(r) : readU32(r);
  const text = decoder.decode(r.bytes.subarray(r.at, r.at + length));
  r.at += length;
  return text;
}

/** BIND request (the records it carries are appended after it). */
export function encodeBind(handle: number, port: number, iface: number): ArrayBuffer {
  const request = new ArrayBuffer(BIND_HEADER);
  const view = new DataView(request);
  view.setUint8(0, BIND);
  view.setUint32(BindField.handle, handle, true);
  view.setUint16(BindField.port, port, true);
  view.setUint8(BindField.iface, iface);
  return request;
}

/** A decoded BIND request (the reply records it carries start at BIND_HEADER). */
export interface BindRequest {
  handle: number;
  port: number;
  iface: number;
}

/** Decodes a BIND request, or undefined when it is not one. */
export function decodeBind(request: Uint8Array): BindRequest | undefined {
  if (request[0] !== BIND || request.byteLength < BIND_HEADER) return undefined;
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  return { handle: view.getUint32(BindField.handle, true), port: view.getUint16(BindField.port, true), iface: request[BindField.iface] };
}

/** BIND answer: `status`, the port bound, and for BIND_FAILED a message. */
export function encodeBindAnswer(status: number, port: number, message = ""): Uint8Array {
  const text = encoder.encode(message);
  const answer = new Uint8Array(BindAnswerField.message + text.byteLength);
  answer[BindAnswerField.status] = status;
  new DataView(answer.buffer).setUint16(BindAnswerField.port, port, true);
  answer.set(text, BindAnswerField.message);
  return answer;
}

export interface BindAnswer {
  status: number;
  port: number;
  message: string;
}

export function decodeBindAnswer(answer: ArrayBuffer): BindAnswer {
  const view = new DataView(answer);
  return {
    status: view.getUint8(BindAnswerField.status),
    port: view.getUint16(BindAnswerField.port, true),
    message: decoder.decode(new Uint8Array(answer, BindAnswerField.message)),
  };
}

/** Dotted quads by number and numbers by dotted quad, each bounded: a busy peer's address is converted once. */
const addressTexts = new Map<number, string>();
const addressNumbers = new Map<string, number>();

/**
 * The dotted quad of `value`, from a cache shared by everything in this
 * process (a string made per packet would allocate in XS). Plain functions,
 * not methods: the firmware calls them for every packet.
 */
export function addressText(value: number): string {
  let text = addressTexts.get(value);
  if (text === undefined) {
    if (addressTexts.size > 4096) addressTexts.clear();
    text = formatIPv4(value);
    addressTexts.set(value, text);
  }
  return text;
}

/** The number of dotted quad `address` (-1 when it is not one), cached like {@link addressText}. */
export function addressNumber(address: string): number {
  let value = addressNumbers.get(address);
  if (value === undefined) {
    if (addressNumbers.size > 4096) addressNumbers.clear();
    value = parseIPv4(address);
    addressNumbers.set(address, value);
  }
  return value;
}

/** Dotted quad ↔ unsigned 32-bit: the core's parser and formatter (one implementation of the rule). */
export { parseIPv4 as addressToNumber, formatIPv4 as numberToAddress } from "../../modules/impnet/core/address";
