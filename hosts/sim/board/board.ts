/**
 * An emulated ESP32 board: the state behind the emulated Moddable modules
 * (`embedded:io/socket/udp`, legacy `ethernet`, ECMA-419 WiFi, `net`,
 * `timer`, `time`, `mc/config`), with the observable behaviour of
 * docs/platform-notes.md §1–§3 and §5.1.
 *
 * The board does no I/O itself. A `BoardIO` does: inside XS the simulator's
 * bridge to the Node supervisor and its real sockets; in Node unit tests an
 * in-memory network. The same module code runs in both.
 */

import type { ReceivedDatagram } from "../../../modules/impnet/port";

/** Real I/O under the board. */
export interface BoardIO {
  /** Milliseconds since the board started. */
  now(): number;
  /**
   * Binds UDP `port` (0: any free port) for socket `handle`: on interface
   * `iface` only (its unicast and subnet-broadcast addresses, as lwIP's
   * `udp_bind_netif`), or, without one, on every interface, as stock
   * Moddable binds IP_ADDR_ANY. Returns the port bound; throws
   * `Error("bind failed")` when it is taken.
   */
  bind(handle: number, port: number, iface: string | undefined): number;
  /** Sends `data`, a copy the emulation made for this datagram (the IO may keep it). */
  send(handle: number, data: ArrayBuffer, address: string, port: number): void;
  close(handle: number): void;
  /** The firmware started interface `name` (Ethernet.start(), WiFi connect()). */
  startLink(name: string): void;
  /** Diagnostics from the emulation (not app output). */
  note(text: string): void;
}

/** What the board knows about one emulated interface. */
export interface BoardInterface {
  readonly name: string;
  readonly address: string;
  readonly netmask: string;
  readonly mac: string;
  /** Firmware started it (Ethernet.start(), WiFi connect()). */
  started: boolean;
  /** Carrier / association. */
  linkUp: boolean;
  /** Address assigned (DHCP done). */
  hasAddress: boolean;
  /** Driver failure injected by the simulator. */
  failed: boolean;
}

export type { ReceivedDatagram };

/**
 * What the simulator's supervisor tells the board about a link (protocol.ts
 * LINK record): carrier up, address assigned, carrier lost, the driver
 * failed, the driver works again.
 */
export type LinkEvent = "link-up" | "address" | "link-down" | "unhappy" | "recover";

/** Receives board events for one emulated module instance. */
export interface LinkObserver {
  linkEvent(name: string, event: LinkEvent): void;
}

/** One emulated UDP socket's receive side. */
export interface SocketSink {
  /** Appends a datagram to the socket's receive queue. */
  enqueue(packet: ReceivedDatagram): void;
  /** Datagrams waiting to be read. */
  queued(): number;
  /** Packets queued since the last `onReadable` notification. */
  fresh: number;
  notify(): void;
}

interface TimerRecord {
  id: number;
  at: number;
  repeat: number;
  callback: (timer: object) => void;
  timer: object;
  /** Chosen by the running pass of `runTimers` (cleared when the timer is cleared or re-armed). */
  pass: boolean;
}

/** Settings of an interface, for `new Board`. */
export interface BoardInterfaceSpec {
  name: string;
  address: string;
  netmask: string;
  mac?: string;
}

export class Board {
  readonly interfaces = new Map<string, BoardInterface>();
  /** `mc/config` as the app sees it. */
  readonly config: Record<string, unknown>;
  readonly sockets = new Map<number, SocketSink>();
  private readonly observers: LinkObserver[] = [];
  private readonly readable: SocketSink[] = [];
  private timers: TimerRecord[] = [];
  /** Timers unscheduled by `Timer.schedule(t)`, kept so that they can be scheduled again. */
  private readonly unscheduled = new WeakMap<object, TimerRecord>();
  private nextHandle = 1;
  private readonly interfaceList: BoardInterface[] = [];
  private nextTimer = 1;
  /** Errors thrown by firmware code called from the board (timer callbacks); the host decides what a crash is. */
  readonly crashes: unknown[] = [];

  constructor(
    readonly io: BoardIO,
    interfaces: readonly BoardInterfaceSpec[],
    config: Record<string, unknown> = {},
  ) {
    interfaces.forEach((spec, i) => {
      this.interfaces.set(spec.name, {
        name: spec.name,
        address: spec.address,
        netmask: spec.netmask,
        mac: spec.mac ?? `02:00:00:00:00:${(i + 1).toString(16).padStart(2, "0").toUpperCase()}`,
        started: false,
        linkUp: false,
        hasAddress: false,
        failed: false,
      });
    });
    this.config = config;
    for (const iface of this.interfaces.values()) this.interfaceList.push(iface);
  }

  now(): number {
    return this.io.now();
  }

  // ---- UDP ----

  newSocketHandle(): number {
    return this.nextHandle++;
  }

  /** lwIP has a default netif once any interface was started (CHECK_NETWORK_SAFE). */
  hasNetwork(): boolean {
    for (const iface of this.interfaces.values()) if (iface.started) return true;
    return false;
  }

  /**
   * A route exists when the socket's interface (or, for a socket bound to
   * every interface, some interface) has its link and address. Read on every
   * send: no iterator.
   */
  canSend(iface: BoardInterface | undefined): boolean {
    if (iface !== undefined) return iface.linkUp && iface.hasAddress;
    const list = this.interfaceList;
    for (let i = 0; i < list.length; i++) {
      const each = list[i];
      if (each.linkUp && each.hasAddress) return true;
    }
    return false;
  }

  /** Queues a datagram for socket `handle`; `onReadable` runs at the next `notifyReadable()`. */
  packet(handle: number, packet: ReceivedDatagram): boolean {
    const sink = this.sockets.get(handle);
    if (sink === undefined) return false;
    sink.enqueue(packet);
    if (sink.fresh++ === 0) this.readable.push(sink);
    return true;
  }

  /** Calls `onReadable(count)` once for every socket that got packets since the last call; returns whether there was one. */
  notifyReadable(): boolean {
    const list = this.readable;
    if (list.length === 0) return false;
    for (let i = 0; i < list.length; i++) {
      const sink = list[i];
      sink.fresh = 0;
      sink.notify();
    }
    list.length = 0;
    return true;
  }

  // ---- links ----

  observe(observer: LinkObserver): void {
    this.observers.push(observer);
  }

  unobserve(observer: LinkObserver): void {
    const i = this.observers.indexOf(observer);
    if (i >= 0) this.observers.splice(i, 1);
  }

  iface(name: string): BoardInterface | undefined {
    return this.interfaces.get(name);
  }

  /** Position of interface `name` in the board's list (the simulator's wire format names interfaces by it), or -1. */
  interfaceIndex(name: string): number {
    const list = this.interfaceList;
    for (let i = 0; i < list.length; i++) if (list[i].name === name) return i;
    return -1;
  }

  /** An event on interface `name`, from the simulator's control side. */
  linkEvent(name: string, event: LinkEvent): void {
    const iface = this.interfaces.get(name);
    if (iface === undefined) return;
    switch (event) {
      case "link-up":
        iface.linkUp = true;
        iface.failed = false;
        break;
      case "address":
        iface.hasAddress = true;
        break;
      case "link-down":
        iface.linkUp = false;
        iface.hasAddress = false;
        break;
      case "unhappy":
        iface.linkUp = false;
        iface.hasAddress = false;
        iface.failed = true;
        break;
      case "recover":
        iface.failed = false;
        break;
    }
    const observers = this.observers.slice();
    for (const observer of observers) observer.linkEvent(name, event);
  }

  // ---- timers ----

  setTimer(callback: (timer: object) => void, interval: number, repeat: number): object {
    const timer = { id: this.nextTimer++ };
    this.insert({ id: timer.id, at: this.now() + interval, repeat, callback, timer, pass: false });
    return timer;
  }

  scheduleTimer(timer: object, interval: number | undefined, repeat: number): void {
    const record = this.take(timer) ?? this.unscheduled.get(timer);
    if (record === undefined) throw new SyntaxError("timer: not a timer");
    this.unscheduled.delete(timer);
    if (interval === undefined) {
      // Timer.schedule(t) without an interval unschedules; a later schedule(t, ms) revives it.
      this.unscheduled.set(timer, record);
      return;
    }
    record.at = this.now() + interval;
    record.repeat = repeat;
    this.insert(record);
  }

  clearTimer(timer: object): void {
    this.take(timer);
    this.unscheduled.delete(timer);
  }

  timerCount(): number {
    return this.timers.length;
  }

  /** When the next timer is due (board ms), or -1. */
  nextTimerAt(): number {
    return this.timers.length === 0 ? -1 : this.timers[0].at;
  }

  /**
   * One pass of the timers, as Moddable's `modTimersExecute`: every timer due
   * when the pass starts runs once, in order; timers set or re-armed by those
   * callbacks wait for the next pass. A throwing callback is recorded as a
   * crash. Returns whether any callback ran (the host then runs promise jobs).
   */
  runTimers(): boolean {
    const now = this.now();
    const list = this.timers;
    let due = 0;
    while (due < list.length && list[due].at <= now) list[due++].pass = true;
    if (due === 0) return false;
    const passing = list.slice(0, due);
    for (let i = 0; i < passing.length; i++) {
      const record = passing[i];
      // Cleared or re-armed by an earlier callback of this pass.
      if (!record.pass) continue;
      record.pass = false;
      this.timers.splice(this.timers.indexOf(record), 1);
      if (record.repeat > 0) {
        record.at = Math.max(record.at + record.repeat, now);
        this.insert(record);
      }
      try {
        record.callback.call(globalThis, record.timer);
      } catch (error) {
        this.crashes.push(error);
      }
    }
    return true;
  }

  private insert(record: TimerRecord): void {
    record.pass = false;
    const list = this.timers;
    let i = list.length;
    while (i > 0 && list[i - 1].at > record.at) i--;
    list.splice(i, 0, record);
  }

  private take(timer: object): TimerRecord | undefined {
    const list = this.timers;
    for (let i = 0; i < list.length; i++) {
      if (list[i].timer === timer) {
        const record = list.splice(i, 1)[0];
        record.pass = false;
        return record;
      }
    }
    return undefined;
  }
}

let current: Board | undefined;

/** Makes `board` the one the emulated modules talk to. */
export function installBoard(board: Board): void {
  current = board;
}

/** The installed board (the emulated modules call this on every use). */
export function board(): Board {
  if (current === undefined) throw new Error("impnet simulator: no board installed");
  return current;
}
