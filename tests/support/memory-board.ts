/**
 * An in-memory `BoardIO` for Node unit tests of the emulated Moddable
 * modules (hosts/sim/board) and of the Moddable port running on them.
 *
 * Nothing here touches a real socket or the wall clock: time is a virtual
 * millisecond counter that only `advance()` moves, binds are tracked in a
 * table (with ports the test can mark as taken by "other" sockets, as SDK
 * services or other processes would hold them), sends are recorded as
 * copies and can be delivered to peers or back to the board's own sockets,
 * and links the firmware starts can be brought up automatically.
 */
import { Board, installBoard, type BoardIO, type BoardInterfaceSpec, type ReceivedDatagram } from "../../hosts/sim/board/board";
import config from "../../hosts/sim/board/config";
import { broadcastOf, parseIPv4 } from "../../modules/impnet/core/address";
import { createRuntime, type Runtime } from "../../modules/impnet/core/runtime";
import type { NetInterface } from "../../modules/impnet/core/interface";
import type { Nic } from "../../modules/impnet/core/nic";
import type { LogSink } from "../../modules/impnet/port";
import { moddableHost } from "../../modules/impnet/moddable/host";
import type { LinkDriver } from "../../modules/impnet/moddable/link";
import { EthernetDriver } from "../../modules/impnet/moddable/links/ethernet";
import { WifiDriver } from "../../modules/impnet/moddable/links/wifi";

/** A datagram the firmware sent through `BoardIO.send`. */
export interface SentDatagram {
  handle: number;
  /** Local port of the sending socket. */
  fromPort: number;
  address: string;
  port: number;
  /** A copy of the bytes, taken when `send` was called. */
  data: Uint8Array;
  /** Board time of the send. */
  at: number;
}

/** One `BoardIO.bind` call. */
export interface BindRecord {
  handle: number;
  /** The port the socket asked for (0: any). */
  requested: number;
  /** The interface the socket belongs to, or undefined for every interface (IP_ADDR_ANY). */
  iface: string | undefined;
  /** The port bound, or -1 when the bind failed. */
  port: number;
}

/** A datagram a peer received. */
export interface PeerDatagram {
  from: string;
  fromPort: number;
  to: string;
  data: Uint8Array;
}

/** Delays of an automatic bring-up after `startLink` (ms after the start). */
export interface AutoLink {
  /** "link-up" this long after the start. */
  linkUpMs: number;
  /** "address" this long after "link-up". */
  addressMs: number;
}

export interface MemoryBoardOptions {
  interfaces?: readonly BoardInterfaceSpec[];
  /** `mc/config` as the app sees it. */
  config?: Record<string, unknown>;
  /** Bring links up by themselves when the firmware starts them (default: no, the test drives link events). */
  autoLink?: AutoLink | false;
  /**
   * Whether packets routed by the memory network (peers, loopback) carry a
   * `destination` property, as the XS simulator adds it. Default false:
   * stock Moddable, which cannot tell the destination.
   */
  destinations?: boolean;
  /** Virtual ms between a send and its delivery to peers / own sockets (default 1). */
  latency?: number;
  /**
   * Stock Moddable: every socket binds IP_ADDR_ANY and the `interface` option
   * is ignored. Default false: a socket belongs to its interface, as in the
   * XS simulator.
   */
  bindAny?: boolean;
  /** Make this board the one the emulated modules use (default true). */
  install?: boolean;
}

/** The default emulated device: Ethernet and WiFi on different subnets. */
export const ETH0: BoardInterfaceSpec = { name: "eth0", address: "192.168.1.10", netmask: "255.255.255.0", mac: "02:00:00:00:00:01" };
export const WL0: BoardInterfaceSpec = { name: "wl0", address: "10.1.2.20", netmask: "255.255.0.0", mac: "02:00:00:00:00:02" };

/** First port handed out for `bind(handle, 0)` (lwIP's UDP_LOCAL_PORT_RANGE_START). */
export const EPHEMERAL_START = 0xc000;

interface PendingEvent {
  at: number;
  seq: number;
  run: () => void;
}

/** A station on the memory network with one UDP port. */
export class MemoryPeer {
  readonly received: PeerDatagram[] = [];
  constructor(
    private readonly io: MemoryIO,
    readonly address: string,
    readonly port: number,
  ) {}

  /** Sends a datagram to `address:port` (an interface address or a broadcast address); it arrives after the latency. */
  send(address: string, port: number, data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    this.io.route(this.address, this.port, address, port, bytes);
  }

  texts(): string[] {
    const decoder = new TextDecoder();
    return this.received.map((d) => decoder.decode(d.data));
  }
}

/** The in-memory I/O under a Board. */
export class MemoryIO implements BoardIO {
  /** Board milliseconds. */
  time = 0;
  /** Every bind attempt, in order. */
  readonly binds: BindRecord[] = [];
  /** Ports held by sockets that are not the firmware's (SDK services, other processes). */
  readonly taken = new Set<number>();
  /** Bound firmware sockets: handle → port. */
  readonly bound = new Map<number, number>();
  /** The interface each bound socket belongs to (absent: every interface). */
  readonly boundInterface = new Map<number, string>();
  /** Every datagram sent, in order. */
  readonly sent: SentDatagram[] = [];
  /** Handles passed to `close`, in order. */
  readonly closed: number[] = [];
  /** Interface names passed to `startLink`, in order. */
  readonly started: string[] = [];
  /** Diagnostics from the emulation. */
  readonly notes: string[] = [];
  /** Automatic bring-up after `startLink`, by interface name (overrides `autoLink`). */
  readonly autoLinks = new Map<string, AutoLink | false>();
  autoLink: AutoLink | false = false;
  destinations = false;
  latency = 1;
  bindAny = false;
  /** When set, the next `send` throws this (a platform failure below the emulation). */
  failNextSend: Error | undefined;
  private readonly peers = new Map<string, MemoryPeer>();
  private events: PendingEvent[] = [];
  private seq = 0;
  /** @internal Set by MemoryBoard. */
  board!: Board;

  now(): number {
    return this.time;
  }

  bind(handle: number, port: number, iface: string | undefined): number {
    let chosen = port;
    if (port === 0) {
      chosen = EPHEMERAL_START;
      while (chosen <= 0xffff && this.inUse(chosen)) chosen++;
      if (chosen > 0xffff) chosen = -1;
    } else if (this.inUse(port)) {
      chosen = -1;
    }
    this.binds.push({ handle, requested: port, iface, port: chosen });
    if (chosen < 0) throw new Error("bind failed");
    this.bound.set(handle, chosen);
    if (iface !== undefined && !this.bindAny) this.boundInterface.set(handle, iface);
    return chosen;
  }

  send(handle: number, data: ArrayBuffer, address: string, port: number): void {
    const failure = this.failNextSend;
    if (failure !== undefined) {
      this.failNextSend = undefined;
      throw failure;
    }
    const copy = new Uint8Array(data.slice(0));
    const fromPort = this.bound.get(handle) ?? 0;
    this.sent.push({ handle, fromPort, address, port, data: copy, at: this.time });
    const own = this.boundInterface.get(handle);
    this.route(own === undefined ? this.sourceFor(address) : (this.board.iface(own)?.address ?? "0.0.0.0"), fromPort, address, port, copy);
  }

  close(handle: number): void {
    this.closed.push(handle);
    this.bound.delete(handle);
    this.boundInterface.delete(handle);
  }

  startLink(name: string): void {
    this.started.push(name);
    const auto = this.autoLinks.get(name) ?? this.autoLink;
    if (auto === false) return;
    this.at(auto.linkUpMs, () => this.board.linkEvent(name, "link-up"));
    this.at(auto.linkUpMs + auto.addressMs, () => this.board.linkEvent(name, "address"));
  }

  note(text: string): void {
    this.notes.push(text);
  }

  // ---- memory network ----

  /** A peer at `address:port` (made on first use); it receives what the firmware sends there. */
  peer(address: string, port: number): MemoryPeer {
    const key = `${address}:${port}`;
    let peer = this.peers.get(key);
    if (peer === undefined) {
      peer = new MemoryPeer(this, address, port);
      this.peers.set(key, peer);
    }
    return peer;
  }

  /** Whether `port` is held by a firmware socket or by an "other" one. */
  inUse(port: number): boolean {
    if (this.taken.has(port)) return true;
    for (const p of this.bound.values()) if (p === port) return true;
    return false;
  }

  /** The handle of the firmware socket bound to `port`, if any. */
  handleOf(port: number): number | undefined {
    for (const [handle, p] of this.bound) if (p === port) return handle;
    return undefined;
  }

  /** Runs `run` `delay` ms from now (at the next `advance` that reaches it). */
  at(delay: number, run: () => void): void {
    this.events.push({ at: this.time + delay, seq: this.seq++, run });
  }

  /** When the next I/O event is due, or -1. */
  nextEventAt(): number {
    let next = -1;
    for (const e of this.events) if (next < 0 || e.at < next) next = e.at;
    return next;
  }

  /** Runs the I/O events due now, in order (events they add for now run too). */
  runEvents(): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.events.length; i++) {
        const e = this.events[i];
        if (e.at > this.time) continue;
        if (best < 0 || e.at < this.events[best].at || (e.at === this.events[best].at && e.seq < this.events[best].seq)) best = i;
      }
      if (best < 0) return;
      const [event] = this.events.splice(best, 1);
      event.run();
    }
  }

  /**
   * @internal Puts a datagram on the memory network. After `latency` it reaches
   * peers at `to:toPort` (or every peer on `toPort` for a broadcast) and the
   * firmware socket bound to `toPort` when `to` is an address of an interface
   * that has its address, or that interface's broadcast (for a socket that
   * belongs to one interface: of that interface).
   */
  route(from: string, fromPort: number, to: string, toPort: number, data: Uint8Array): void {
    this.at(this.latency, () => {
      const target = parseIPv4(to);
      for (const peer of this.peers.values()) {
        if (peer.port === toPort && peer.address !== from && (peer.address === to || target === 0xffffffff || isBroadcastFor(target, peer.address))) {
          peer.received.push({ from, fromPort, to, data: data.slice() });
        }
      }
      const handle = this.handleOf(toPort);
      if (handle === undefined || !this.reaches(target, this.boundInterface.get(handle))) return;
      const packet = makePacket(data, from, fromPort, this.destinations ? to : undefined);
      if (this.board.packet(handle, packet)) this.board.notifyReadable();
    });
  }

  /** Whether a datagram to `target` arrives at interface `only` (or, without one, at any interface). */
  private reaches(target: number, only: string | undefined): boolean {
    if (target < 0) return false;
    for (const iface of this.board.interfaces.values()) {
      if (!iface.hasAddress || (only !== undefined && iface.name !== only)) continue;
      const address = parseIPv4(iface.address);
      if (target === address || target === 0xffffffff || target === broadcastOf(address, parseIPv4(iface.netmask))) return true;
    }
    return false;
  }

  /** The interface address a datagram to `to` leaves from: the one on its subnet, else the first with an address. */
  private sourceFor(to: string): string {
    const target = parseIPv4(to);
    let first = "0.0.0.0";
    for (const iface of this.board.interfaces.values()) {
      if (!iface.hasAddress) continue;
      const mask = parseIPv4(iface.netmask);
      if (first === "0.0.0.0") first = iface.address;
      if (target >= 0 && ((target & mask) >>> 0) === ((parseIPv4(iface.address) & mask) >>> 0)) return iface.address;
    }
    return first;
  }
}

/** A /24 guess for peers, which have no netmask. */
function isBroadcastFor(target: number, address: string): boolean {
  const a = parseIPv4(address);
  return target >= 0 && a >= 0 && target === broadcastOf(a, 0xffffff00);
}

/** Bytes as `read()` returns them: a fresh ArrayBuffer with `address`, `port` and, when given, `destination`. */
export function makePacket(data: Uint8Array | ArrayBuffer | string, from: string, fromPort: number, destination?: string): ReceivedDatagram {
  let bytes: Uint8Array;
  if (typeof data === "string") bytes = new TextEncoder().encode(data);
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else bytes = data;
  const sender = { address: from, port: fromPort };
  return Object.assign(bytes.slice().buffer, destination === undefined ? sender : { ...sender, destination });
}

/** Which firmware socket a test delivers to: a local port number, or `{ handle }`. */
export type SocketRef = number | { handle: number };

/** A Board over a MemoryIO, with the helpers tests drive it with. */
export class MemoryBoard {
  readonly io: MemoryIO;
  readonly board: Board;

  constructor(options: MemoryBoardOptions = {}) {
    this.io = new MemoryIO();
    this.io.autoLink = options.autoLink ?? false;
    this.io.destinations = options.destinations ?? false;
    this.io.latency = options.latency ?? 1;
    this.io.bindAny = options.bindAny ?? false;
    this.board = new Board(this.io, options.interfaces ?? [ETH0, WL0], options.config ?? {});
    this.io.board = this.board;
    if (options.install !== false) installBoard(this.board);
  }

  /** Makes this board the one the emulated modules use. */
  install(): this {
    installBoard(this.board);
    return this;
  }

  now(): number {
    return this.io.time;
  }

  /**
   * Moves the clock forward by `ms`, stepping to each due I/O event and board
   * timer in time order (I/O first at equal times), then to the end.
   * `advance(0)` runs everything due now (e.g. `Timer.set(cb)` one-shots).
   */
  advance(ms: number): void {
    const io = this.io;
    const board = this.board;
    const end = io.time + ms;
    for (let guard = 0; ; guard++) {
      if (guard > 1_000_000) throw new Error("memory board: runaway timers");
      const eventAt = io.nextEventAt();
      const timerAt = board.nextTimerAt();
      let next = -1;
      if (eventAt >= 0 && eventAt <= end) next = eventAt;
      if (timerAt >= 0 && timerAt <= end && (next < 0 || timerAt < next)) next = timerAt;
      if (next < 0) break;
      if (next > io.time) io.time = next;
      io.runEvents();
      board.notifyReadable();
      board.runTimers();
    }
    io.time = end;
  }

  /** Runs everything due now. */
  flush(): void {
    this.advance(0);
  }

  /** A link event from the "outside": "link-up", "address", "link-down", "unhappy", "recover". */
  link(name: string, event: "link-up" | "address" | "link-down" | "unhappy" | "recover"): void {
    this.board.linkEvent(name, event);
  }

  /** link-up then address on `name`, now. */
  linkUp(name: string): void {
    this.link(name, "link-up");
    this.link(name, "address");
  }

  /** Queues a datagram for a firmware socket without notifying it; returns the buffer `read()` will return. */
  enqueue(to: SocketRef, data: Uint8Array | ArrayBuffer | string, from: string, fromPort: number, destination?: string): ReceivedDatagram {
    const handle = typeof to === "number" ? this.io.handleOf(to) : to.handle;
    if (handle === undefined) throw new Error(`memory board: no firmware socket bound to port ${String(to)}`);
    const packet = makePacket(data, from, fromPort, destination);
    if (!this.board.packet(handle, packet)) throw new Error(`memory board: socket ${handle} is not open`);
    return packet;
  }

  /** Queues a datagram (destination omitted = stock Moddable) and lets the socket know (`notifyReadable`). */
  deliver(to: SocketRef, data: Uint8Array | ArrayBuffer | string, from: string, fromPort: number, destination?: string): ReceivedDatagram {
    const packet = this.enqueue(to, data, from, fromPort, destination);
    this.board.notifyReadable();
    return packet;
  }

  /** The emulated-module crashes (throwing timer callbacks) so far. */
  get crashes(): unknown[] {
    return this.board.crashes;
  }
}

/** Text of bytes (for assertions). */
export function text(data: Uint8Array | ArrayBuffer): string {
  return new TextDecoder().decode(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
}

// ---------------------------------------------------------------- the Moddable port on a memory board

/** A device: impnet's runtime on the Moddable port, on the emulated modules, over a memory board. */
export interface ModdableDevice {
  mb: MemoryBoard;
  io: MemoryIO;
  runtime: Runtime;
  imp: Runtime["imp"];
  /** `server.log` / `server.error` lines (and errors thrown by app callbacks). */
  logs: { log: string[]; error: string[] };
}

export interface ModdableDeviceOptions extends MemoryBoardOptions {
  /** Interface name → link driver (default: EthernetDriver for eth0 and WifiDriver for wl0, when the board has them). */
  drivers?: Record<string, LinkDriver>;
}

/**
 * A fresh memory board (installed) and a runtime whose host is
 * `moddableHost(drivers, mc/config)`, as hosts/sim/xs/host.ts builds it. Put
 * the app's `mc/config` settings in `options.config`.
 */
export function moddableDevice(options: ModdableDeviceOptions = {}): ModdableDevice {
  const mb = new MemoryBoard(options);
  let drivers = options.drivers;
  if (drivers === undefined) {
    drivers = {};
    if (mb.board.iface("eth0") !== undefined) drivers.eth0 = new EthernetDriver();
    if (mb.board.iface("wl0") !== undefined) drivers.wl0 = new WifiDriver();
  }
  const logs = { log: [] as string[], error: [] as string[] };
  const log: LogSink = {
    log: (line) => logs.log.push(line),
    error: (line) => logs.error.push(line),
  };
  const runtime = createRuntime(moddableHost(drivers, config as Record<string, unknown>, { log }));
  return { mb, io: mb.io, runtime, imp: runtime.imp, logs };
}

/** An interface opened with a recording state callback. */
export interface OpenedInterface {
  iface: NetInterface;
  states: number[];
}

/** `imp.net.open(nic, cb)` recording every state the callback gets. */
export function openInterface(device: ModdableDevice, nic: Nic): OpenedInterface {
  const states: number[] = [];
  const iface = device.imp.net.open(nic, (state) => {
    states.push(state);
  });
  return { iface, states };
}
