/**
 * Emulated `embedded:io/socket/udp` (ECMA-419), as Moddable implements it on
 * ESP32 (modules/io/socket/lwip/udp.c; docs/platform-notes.md §1):
 * constructor options and errors, `read()` → ArrayBuffer with `address` and
 * `port` (and, in the simulator, `destination`) or `undefined`,
 * `write(buffer, address, port)`, idempotent `close()`, `onReadable(count)`
 * with `this` the socket, called once per delivery with the queue length.
 *
 * One impnet extension: an `interface` option ("eth0", "wl0") binds the
 * socket to that interface only (lwIP's `udp_bind_netif`): it receives what
 * arrives for that interface's addresses and sends from its address. Stock
 * Moddable ignores the option and binds IP_ADDR_ANY (docs/compatibility.md §6).
 */
import { board, type BoardInterface, type ReceivedDatagram, type SocketSink } from "./board";

interface UdpOptions {
  port?: unknown;
  address?: unknown;
  onReadable?: unknown;
  format?: unknown;
  target?: unknown;
  interface?: unknown;
}

const closedError = () => new SyntaxError("invalid host data");

const charCodeAt = String.prototype.charCodeAt;

/**
 * Dotted quad check as lwIP's ipaddr_aton would accept it (four numbers
 * 0–255). Reads characters through String.prototype.charCodeAt.call: in XS a
 * method call on a primitive string allocates a wrapper each time.
 */
function isDottedQuad(text: string): boolean {
  let dots = 0;
  let digits = 0;
  let octet = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = charCodeAt.call(text, i);
    if (c === 46) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
      octet = 0;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + c - 48;
      if (++digits > 3 || octet > 255) return false;
    } else return false;
  }
  return dots === 3 && digits > 0;
}

/** The last address write() accepted. */
let lastAddress: unknown = undefined;

function sendChecked(handle: number, iface: BoardInterface | undefined, data: ArrayBuffer, address: string, port: unknown): void {
  const destinationPort = (typeof port === "number" ? port : toInteger(port)) & 0xffff;
  const b = board();
  if (!b.canSend(iface) || data.byteLength > 65507) throw new Error("UDP send failed");
  b.io.send(handle, data, address, destinationPort);
}

function toInteger(value: unknown): number {
  if (typeof value === "symbol") throw new TypeError("cannot coerce symbol to number");
  const n = Number(value);
  return Number.isNaN(n) ? 0 : Math.trunc(n);
}

/**
 * The handle of `socket`, or the host's SyntaxError when it is closed or is
 * not a UDP socket at all (a foreign `this`, as in the SDK's
 * tests/modules/io/socket/udp/invalid-receiver.js).
 */
function liveHandle(socket: unknown): number {
  const handle = (socket as { handle?: unknown } | null | undefined)?.handle;
  if (typeof handle !== "number" || handle === 0) throw closedError();
  return handle;
}

export default class UDP implements SocketSink {
  /** Receive queue; `head` is the next to read (Array.shift would be O(n) per read). */
  private readonly queue: (ReceivedDatagram | undefined)[] = [];
  private head = 0;
  fresh = 0;
  /** Own property when the `target` option was given, as on Moddable. */
  declare target?: unknown;
  private handle = 0;
  /** The interface the socket is bound to (the `interface` option), or undefined for all of them. */
  private readonly iface: BoardInterface | undefined;
  private readonly onReadable: ((this: UDP, count: number) => void) | undefined;

  constructor(options: UdpOptions) {
    if (options === undefined || options === null) throw new SyntaxError("C: xsArg(0): invalid index");
    const b = board();
    let port = 0;
    if (options.port !== undefined) {
      port = toInteger(options.port);
      if (port < 0 || port > 65535) throw new RangeError("invalid port");
    }
    const onReadable = options.onReadable;
    if (onReadable !== undefined && onReadable !== null && typeof onReadable !== "function") {
      throw new Error("not a function");
    }
    this.onReadable = (onReadable ?? undefined) as ((this: UDP, count: number) => void) | undefined;
    // "buffer" or any falsy value (ESP32 udp.c checks the option only when it is truthy).
    if (options.format && options.format !== "buffer") throw new RangeError("invalid format");
    if ("target" in options) this.target = options.target;
    const name = options.interface;
    if (name !== undefined && (typeof name !== "string" || b.iface(name) === undefined)) throw new RangeError("invalid interface");
    this.iface = name === undefined ? undefined : b.iface(name);
    if (!b.hasNetwork()) throw new Error("no network");
    const handle = b.newSocketHandle();
    b.io.bind(handle, port, name); // throws Error("bind failed")
    this.handle = handle;
    b.sockets.set(handle, this);
  }

  get format(): "buffer" {
    return "buffer";
  }

  set format(value: string) {
    if (value !== "buffer") throw new RangeError("invalid format");
  }

  /** The oldest queued datagram, or undefined. */
  read(): ReceivedDatagram | undefined {
    liveHandle(this);
    const queue = this.queue;
    const head = this.head;
    if (head === queue.length) return undefined;
    const packet = queue[head];
    if (head + 1 === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else {
      queue[head] = undefined;
      this.head = head + 1;
    }
    return packet;
  }

  write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
    const handle = liveHandle(this);
    // lwIP copies the bytes into a pbuf; ArrayBuffer.slice is XS's native copy (TypedArray.set copies byte by byte).
    let copy: ArrayBuffer;
    if (buffer instanceof ArrayBuffer) copy = buffer.slice(0);
    else if (ArrayBuffer.isView(buffer)) copy = (buffer.buffer as ArrayBuffer).slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    else throw new TypeError("invalid buffer");
    // lwIP parses the address natively; the emulation remembers the last good one instead of re-scanning it.
    if (address !== lastAddress) {
      if (typeof address === "symbol") throw new TypeError("cannot coerce symbol to string");
      const target = typeof address === "string" ? address : String(address);
      if (!isDottedQuad(target)) throw new RangeError("invalid IP address");
      if (target !== address) {
        sendChecked(handle, this.iface, copy, target, port);
        return;
      }
      lastAddress = address;
    }
    sendChecked(handle, this.iface, copy, address, port);
  }

  close(): void {
    const handle = (this as unknown as { handle?: unknown } | null | undefined)?.handle;
    if (typeof handle !== "number") throw closedError(); // not a UDP socket (foreign `this`)
    if (handle === 0) return;
    this.handle = 0;
    this.queue.length = 0;
    this.head = 0;
    const b = board();
    b.sockets.delete(handle);
    b.io.close(handle);
  }

  /** @internal Board: packets arrived since the last call. */
  notify(): void {
    const onReadable = this.onReadable;
    const queued = this.queued();
    if (onReadable !== undefined && this.handle !== 0 && queued > 0) onReadable.call(this, queued);
  }

  /** @internal Datagrams waiting to be read. */
  queued(): number {
    return this.queue.length - this.head;
  }

  /** @internal Board: a datagram arrived. */
  enqueue(packet: ReceivedDatagram): void {
    this.queue.push(packet);
  }
}
