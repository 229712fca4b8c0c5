/**
 * The simulator's wire format between the Node supervisor and the firmware
 * in XS, carried in xsnap `?` commands and their replies. Binary,
 * little-endian, a sequence of records, each starting with a one-byte type.
 * Batching many records per command is what makes the simulator fast: a
 * crossing costs about 40 µs, a packet inside a batch a few µs.
 *
 * Supervisor → XS (command body): f64 now (board ms), then records:
 *   PACKET   u32 handle, u32 from, u16 fromPort, u32 to, u32 length, bytes
 *   LINK     u8 length, interface name, u8 length, event ("link-up", "address", "link-down", "unhappy", "recover")
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
 *   HEAPCOUNT u32 live slots after gc()
 *   STATS    u32 open sockets, u32 timers
 *
 * XS → supervisor synchronous request (issueCommand), answered at once:
 *   BIND     u32 handle, u16 port, u8 interface (index in SimSettings.interfaces, or EVERY_INTERFACE),
 *            then every reply record the command produced before the bind (SEND, CLOSE, LOG, …),
 *            which the supervisor handles first, in order
 *            →  u8 status (BIND_OK, BIND_IN_USE, BIND_FAILED), u16 port, UTF-8 message
 */
import type { BoardInterfaceSpec } from "./board/board";

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
export const HEAPCOUNT = 8;
export const STATS = 9;

export const LOG_INFO = 0;
export const LOG_ERROR = 1;
export const LOG_NOTE = 2;
/** `trace()` text as written: not a line (the supervisor joins and splits it). */
export const LOG_TRACE = 3;

export const BIND = 66;
/** Bytes of a BIND request before the records it carries. */
export const BIND_HEADER = 1 + 4 + 2 + 1;
/** BIND's interface byte for a socket bound to every interface (stock Moddable's IP_ADDR_ANY). */
export const EVERY_INTERFACE = 255;
export const BIND_OK = 0;
export const BIND_IN_USE = 1;
export const BIND_FAILED = 2;

/** Bytes of a PACKET record before its payload. */
export const PACKET_HEADER = 1 + 4 + 4 + 2 + 4 + 4;
/** Bytes of a SEND record before its payload. */
export const SEND_HEADER = 1 + 4 + 4 + 2 + 4;

/** Dotted quad ↔ unsigned 32-bit: the core's parser and formatter (one implementation of the rule). */
export { parseIPv4 as addressToNumber, formatIPv4 as numberToAddress } from "../../modules/impnet/core/address";
