/**
 * The XS simulator's Node supervisor: runs an app (with impnet and the
 * Moddable port) inside the XS engine, owns the real UDP sockets and the
 * simulated interfaces, and drives links, time and the agent channel.
 *
 * Packets flow to XS in batches (one `?` command carries every datagram
 * that arrived since the last one); sends come back in the command's reply.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { XsEngine, type Meter, type Reply } from "./engine";
import { bundleApp, removeBundle, type Bundle } from "./bundle";
import * as P from "./protocol";
import { TraceLines } from "./trace-lines";
import type { BoardInterfaceSpec } from "./board/board";

/** A simulated interface: `eth0` or `wl0`, on an address this host owns. */
export interface SimInterface {
  name: "eth0" | "wl0";
  address: string;
  /** Prefix length (default 8 on loopback, else 24). */
  prefix?: number;
}

export interface SimOptions {
  /** The app's main module (.ts or .js). */
  app: string;
  /** Default: eth0 on 127.0.0.1/8. */
  interfaces?: SimInterface[];
  /** Enforce impOS's outgoing rate limit. */
  rateLimit?: boolean;
  /**
   * Start the app at once instead of when the first interface is CONNECTED
   * (impOS starts device code once online; this is the offline start).
   */
  startAtOnce?: boolean;
  /** Extra `mc/config` values (e.g. ssid for wl0). */
  config?: Record<string, string>;
  /** Carrier delay after a link starts (ms, default 5). */
  linkDelayMs?: number;
  /** DHCP delay after carrier, per interface (ms, default 20). */
  dhcpDelayMs?: number;
  /** Most datagrams waiting for XS before new ones are dropped (default 50 000). */
  maxQueuedPackets?: number;
  /** Most datagrams per command (default 256). */
  maxBatchPackets?: number;
  /** Computron limit per command (default 2 000 000 000; past it the engine exits). */
  meterLimit?: number;
  /**
   * Seed of the firmware's `Math.random` (four unsigned 32-bit words).
   * Default: fresh entropy from the host, so every run and every simulated
   * device differs, as ESP32s do. Give one to repeat a run.
   */
  seed?: readonly number[];
  onLog?: (line: string) => void;
  onError?: (line: string) => void;
  /** `trace()` (and `print()`) output, one line per "\n"; text before a newline waits for it. */
  onTrace?: (line: string) => void;
  /** Simulator diagnostics (not app output). */
  onNote?: (line: string) => void;
  onAgent?: (name: string, data: unknown) => void;
  /** The app crashed: text has the XS stack. The simulator stops. */
  onCrash?: (text: string) => void;
}

/** Counters a test or benchmark can read. */
export interface SimStats {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Datagrams dropped because XS was too far behind (queue full). */
  droppedQueueFull: number;
  /** Datagrams that arrived on an interface whose link is down. */
  droppedLinkDown: number;
  /** Datagrams for a socket XS had already closed. */
  droppedClosed: number;
  /** Sends the OS refused (asynchronously). */
  sendErrors: number;
  commands: number;
  /** Open emulated UDP sockets and timers in XS after the last command. */
  xsSockets: number;
  xsTimers: number;
  /** Real OS sockets the supervisor holds for the firmware. */
  osSockets: number;
  /** Meter of the last command. */
  lastMeter: Meter | undefined;
  /** Highest live slot count seen in any reply. */
  heapHighWater: number;
}

type Wanted = "up" | "down" | "unhappy";

interface InterfaceState {
  spec: BoardInterfaceSpec;
  addressNumber: number;
  broadcastNumber: number;
  networkNumber: number;
  mask: number;
  loopback: boolean;
  wanted: Wanted;
  started: boolean;
  linkUp: boolean;
  dhcpDelay: number;
  timers: NodeJS.Timeout[];
}

/** One real socket receiving for an XS handle, tagged with the destination it stands for. */
interface Receiver {
  socket: Socket;
  handle: number;
  destination: number;
  iface: InterfaceState;
}

/** The real sockets of one XS socket: each interface's unicast and subnet-broadcast addresses it is bound to. */
interface SocketGroup {
  port: number;
  receivers: Receiver[];
  /** Sends handed to Node whose completion has not been reported yet. */
  inFlight: number;
  /** Completion callback of every send of this group (one closure per group, not per datagram). */
  sent: (error: Error | null) => void;
  /** Set while a close waits for the in-flight sends. */
  drained: (() => void) | undefined;
}

/**
 * dgram's address lookup for the dotted quads the simulator sends to. The
 * default (dns.lookup) answers on the next tick even for an IP address;
 * answering at once hands each datagram to the OS inside `send()`.
 */
function dottedQuad(address: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  callback(null, address, 4);
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

const noop = (): void => {};

/** Grows a Buffer for the pending batch. */
/**
 * The next command, built in place as an xsnap netstring: room for the
 * "LENGTH:?" header in front, so the whole frame goes to the pipe in one write.
 */
class Batch {
  static readonly HEADER_ROOM = 16;
  static readonly START = Batch.HEADER_ROOM + 8;
  buffer = Buffer.allocUnsafe(1 << 20);
  length = Batch.START;
  packets = 0;

  ensure(n: number): void {
    // +1: the netstring's trailing comma.
    if (this.length + n + 1 <= this.buffer.byteLength) return;
    let size = this.buffer.byteLength * 2;
    while (size < this.length + n + 1) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
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
    const buffer = this.buffer;
    buffer.writeDoubleLE(now, Batch.HEADER_ROOM);
    const header = `${this.length - Batch.HEADER_ROOM + 1}:?`;
    const start = Batch.HEADER_ROOM - header.length;
    buffer.write(header, start, "latin1");
    buffer[this.length] = 0x2c; // ","
    return buffer.subarray(start, this.length + 1);
  }
}

export class Simulator {
  readonly stats: SimStats = {
    packetsIn: 0,
    packetsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    droppedQueueFull: 0,
    droppedLinkDown: 0,
    droppedClosed: 0,
    sendErrors: 0,
    commands: 0,
    xsSockets: 0,
    xsTimers: 0,
    osSockets: 0,
    lastMeter: undefined,
    heapHighWater: 0,
  };
  /** Resolves when the simulator stopped: code 0 after `stop()`, non-zero after a crash or engine death. */
  readonly stopped: Promise<{ code: number; reason: string }>;

  private readonly engine: XsEngine;
  private readonly interfaces: InterfaceState[];
  private readonly groups = new Map<number, SocketGroup>();
  /** Ports whose sockets are still closing. */
  private readonly closing = new Map<number, Promise<void>>();
  private readonly epoch = performance.now();
  private batch = new Batch();
  private spare = new Batch();
  /** Datagrams waiting beyond the batch being built (when a batch is full). */
  private overflow: Batch[] = [];
  private queued = 0;
  private inFlight = false;
  private flushScheduled = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = -1;
  private forceCommand = false;
  private held = false;
  private heapWaiters: ((count: number) => void)[] = [];
  private wantHeap = false;
  private stopping = false;
  private bundle: Bundle | undefined;
  private finish!: (result: { code: number; reason: string }) => void;
  private readonly addressNumbers = new Map<string, number>();
  private readonly addressTexts = new Map<number, string>();
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly traceLines: TraceLines;

  private constructor(private readonly options: SimOptions) {
    this.maxQueued = options.maxQueuedPackets ?? 50_000;
    this.maxBatch = options.maxBatchPackets ?? 256;
    this.traceLines = new TraceLines((line) => options.onTrace?.(line));
    const specs = options.interfaces ?? [{ name: "eth0", address: "127.0.0.1" }];
    this.interfaces = specs.map((spec) => {
      const addressNumber = P.addressToNumber(spec.address);
      const loopback = addressNumber >>> 24 === 127;
      const prefix = spec.prefix ?? (loopback ? 8 : 24);
      const mask = maskOf(prefix);
      const netmask = P.numberToAddress(mask);
      return {
        spec: { name: spec.name, address: spec.address, netmask },
        addressNumber,
        mask,
        networkNumber: (addressNumber & mask) >>> 0,
        broadcastNumber: (addressNumber | ~mask) >>> 0,
        loopback,
        wanted: "up",
        started: false,
        linkUp: false,
        dhcpDelay: options.dhcpDelayMs ?? 20,
        timers: [],
      };
    });
    this.stopped = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.engine = new XsEngine({
      meterLimit: options.meterLimit ?? 2_000_000_000,
      onRequest: (request) => this.request(request),
      onPrint: (chunk) => this.printLines(chunk),
      onStderr: (chunk) => this.note(`xs: ${chunk.toString("utf8").trimEnd()}`),
    });
    void this.engine.exited.then(({ code, reason }) => {
      if (!this.stopping) this.end(code === 0 ? 1 : (code ?? 1), `XS engine ${reason}`);
    });
  }

  /**
   * Compiles the app, checks the interfaces, starts XS and runs the app.
   * Rejects with a one-line message for a missing or broken app, or an
   * interface address this host does not own.
   */
  static async start(options: SimOptions): Promise<Simulator> {
    await checkInterfaces(options.interfaces ?? [{ name: "eth0", address: "127.0.0.1" }]);
    const bundle = await bundleApp(options.app);
    let sim: Simulator | undefined;
    try {
      sim = new Simulator(options);
      await sim.load(bundle);
    } catch (error) {
      sim?.engine.kill();
      removeBundle(bundle);
      throw error;
    }
    return sim;
  }

  /** Milliseconds since the simulator started (the board's clock). */
  now(): number {
    return performance.now() - this.epoch;
  }

  /** Runs one control command: `link IFACE down|up|unhappy`, `dhcp IFACE delay MS`, `agent NAME JSON`. */
  control(line: string): void {
    const words = line.trim().split(/\s+/);
    const [verb, a, b, c] = words;
    if (verb === "link" && words.length === 3 && (b === "down" || b === "up" || b === "unhappy")) {
      this.link(a, b);
    } else if (verb === "dhcp" && words.length === 4 && b === "delay") {
      const ms = Number(c);
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`dhcp: delay ${c} is not a number of milliseconds >= 0`);
      this.iface(a).dhcpDelay = ms;
    } else if (verb === "agent" && words.length >= 2) {
      const rest = line.trim().slice(5).trim();
      const space = rest.search(/\s/);
      const name = space < 0 ? rest : rest.slice(0, space);
      const json = space < 0 ? "null" : rest.slice(space + 1).trim();
      let data: unknown;
      try {
        data = JSON.parse(json);
      } catch {
        throw new Error(`agent: ${json} is not JSON`);
      }
      this.agent(name, data);
    } else {
      throw new Error(`unknown command "${line.trim()}" (try: link IFACE down|up|unhappy, dhcp IFACE delay MS, agent NAME JSON, quit)`);
    }
  }

  /** Takes a simulated link down, brings it up, or makes its driver fail. */
  link(name: string, wanted: Wanted): void {
    const iface = this.iface(name);
    const before = iface.wanted;
    iface.wanted = wanted;
    this.cancelBringUp(iface);
    if (wanted === "up") {
      if (before === "unhappy") this.linkEvent(iface, "recover");
      if (iface.started && !iface.linkUp) this.bringUp(iface);
    } else if (wanted === "down") {
      if (iface.linkUp) this.linkEvent(iface, "link-down");
      iface.linkUp = false;
    } else {
      this.linkEvent(iface, "unhappy");
      iface.linkUp = false;
    }
  }

  /** Delivers an agent message to the app's `agent.on` handler. */
  agent(name: string, data: unknown): void {
    const nameBytes = Buffer.from(name, "utf8");
    const json = Buffer.from(JSON.stringify(data ?? null), "utf8");
    const batch = this.batch;
    batch.ensure(7 + nameBytes.byteLength + json.byteLength);
    const buffer = batch.buffer;
    buffer[batch.length] = P.AGENT;
    buffer.writeUInt16LE(nameBytes.byteLength, batch.length + 1);
    nameBytes.copy(buffer, batch.length + 3);
    batch.length += 3 + nameBytes.byteLength;
    buffer.writeUInt32LE(json.byteLength, batch.length);
    json.copy(buffer, batch.length + 4);
    batch.length += 4 + json.byteLength;
    this.schedule();
  }

  /** Collects garbage in XS and returns the live slot count. */
  heap(): Promise<number> {
    return new Promise((resolve) => {
      this.heapWaiters.push(resolve);
      this.wantHeap = true;
      this.forceCommand = true;
      this.schedule();
    });
  }

  /** The XS socket handle bound to `port`, if any. */
  handleFor(port: number): number | undefined {
    for (const [handle, group] of this.groups) if (group.port === port) return handle;
    return undefined;
  }

  /**
   * Benchmarks: runs one command made of `records` (PACKET / NOTIFY / HEAP
   * records in the wire format of protocol.ts) once nothing else is in flight,
   * handles its reply as usual, and returns the reply's meter.
   */
  async inject(records: Uint8Array): Promise<Meter> {
    while (this.inFlight || this.flushScheduled) await new Promise((resolve) => setImmediate(resolve));
    const body = Buffer.allocUnsafe(8 + records.byteLength);
    body.writeDoubleLE(this.now(), 0);
    body.set(records, 8);
    this.inFlight = true;
    this.stats.commands++;
    try {
      const reply = await this.engine.command(body);
      this.reply(reply, false);
      return reply.meter;
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }

  /**
   * Tests: while held, no command runs, so datagrams that arrive stay queued
   * (up to `maxQueuedPackets`; beyond that they count as `droppedQueueFull`)
   * and agent messages wait too. Releasing delivers everything queued. This
   * makes "XS is behind" a state a test sets, not one it hopes for.
   */
  holdDelivery(held: boolean): void {
    this.held = held;
    if (!held) this.schedule();
  }

  /** Stops the app and the engine, closing every socket. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.engine.close().catch(noop);
    this.end(0, "stopped");
  }

  // ---- start-up ----

  private async load(bundle: Bundle): Promise<void> {
    this.bundle = bundle;
    const seed = this.options.seed ?? Array.from(new Uint32Array(randomBytes(16).buffer, 0, 4));
    const settings: P.SimSettings = {
      interfaces: this.interfaces.map((i) => i.spec),
      config: this.config(),
      seed: [...seed],
    };
    await this.engine.evaluate(`globalThis.impnetSim = ${JSON.stringify(settings)};`);
    try {
      await this.engine.script(bundle.path);
    } catch (error) {
      throw new Error(`the simulator firmware failed to load: ${(error as Error).message || "see the XS error above"}`);
    }
    // START runs the app's top level on its own, so nothing queued meanwhile overtakes it.
    const start = Buffer.alloc(9);
    start.writeDoubleLE(this.now(), 0);
    start[8] = P.START;
    this.inFlight = true;
    this.stats.commands++;
    const reply = await this.engine.command(start);
    this.inFlight = false;
    this.reply(reply, false);
    this.schedule();
  }

  private config(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...(this.options.config ?? {}) };
    if (this.options.rateLimit) config.impnet_rate_limit = "1";
    if (this.options.startAtOnce) config.impnet_start_at_once = "1";
    // The app waits for the first --iface, whatever order the host lists its interfaces in.
    config.impnet_primary ??= this.interfaces[0]?.spec.name;
    for (const iface of this.interfaces) {
      config[`${iface.spec.name}_netmask`] ??= iface.spec.netmask;
    }
    return config;
  }

  // ---- commands to XS ----

  private schedule(): void {
    if (this.inFlight || this.flushScheduled || this.stopping) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight || this.stopping || this.held || !this.engine.alive) return;
    let batch: Batch;
    if (this.overflow.length > 0) batch = this.overflow.shift() as Batch;
    else if (!this.batch.empty || this.forceCommand || this.wakeDue()) {
      batch = this.batch;
      this.batch = this.spare;
      this.batch.reset();
    } else return;
    this.forceCommand = false;
    if (this.wantHeap) {
      batch.ensure(1);
      batch.buffer[batch.length++] = P.HEAP;
    }
    const heapRequested = this.wantHeap;
    this.wantHeap = false;
    this.queued -= batch.packets;
    this.inFlight = true;
    this.stats.commands++;
    this.engine.commandFrame(batch.frame(this.now())).then(
      (reply) => {
        this.inFlight = false;
        // The batch buffer is free again once XS answered.
        if (batch !== this.batch) {
          batch.reset();
          this.spare = batch;
        }
        this.reply(reply, heapRequested);
        if (!this.batch.empty || this.overflow.length > 0 || this.forceCommand || this.wakeDue()) this.flush();
      },
      (error: Error) => {
        this.inFlight = false;
        if (!this.stopping) this.crash(`simulator command failed: ${error.message}`);
      },
    );
  }

  private wakeDue(): boolean {
    return this.wakeAt >= 0 && this.wakeAt <= this.now();
  }

  private reply(reply: Reply, heapRequested: boolean): void {
    const stats = this.stats;
    stats.lastMeter = reply.meter;
    if (reply.meter.currentHeapCount > stats.heapHighWater) stats.heapHighWater = reply.meter.currentHeapCount;
    if (heapRequested) {
      const waiters = this.heapWaiters;
      this.heapWaiters = [];
      for (const waiter of waiters) waiter(reply.meter.currentHeapCount);
    }
    this.records(reply.bytes);
  }

  /** Handles XS's reply records (protocol.ts), in order. Returns false after a crash. */
  private records(bytes: Buffer): boolean {
    const stats = this.stats;
    let at = 0;
    while (at < bytes.byteLength) {
      const type = bytes[at++];
      switch (type) {
        case P.SEND: {
          const handle = bytes.readUInt32LE(at);
          const to = bytes.readUInt32LE(at + 4);
          const port = bytes.readUInt16LE(at + 8);
          const length = bytes.readUInt32LE(at + 10);
          at += 14;
          this.transmit(handle, to, port, bytes, at, length);
          at += length;
          break;
        }
        case P.LOG: {
          const level = bytes[at];
          const length = bytes.readUInt32LE(at + 1);
          const text = bytes.toString("utf8", at + 5, at + 5 + length);
          at += 5 + length;
          if (level === P.LOG_INFO) this.options.onLog?.(text);
          else if (level === P.LOG_ERROR) this.options.onError?.(this.bundle === undefined ? text : this.bundle.mapStack(text));
          else if (level === P.LOG_TRACE) this.traceLines.push(text);
          else this.note(text);
          break;
        }
        case P.CLOSE:
          this.closeGroup(bytes.readUInt32LE(at));
          at += 4;
          break;
        case P.LINKSTART: {
          const length = bytes[at];
          const name = bytes.toString("utf8", at + 1, at + 1 + length);
          at += 1 + length;
          this.linkStarted(name);
          break;
        }
        case P.WAKE:
          this.setWake(bytes.readDoubleLE(at));
          at += 8;
          break;
        case P.AGENTSEND: {
          const nameLength = bytes.readUInt16LE(at);
          const name = bytes.toString("utf8", at + 2, at + 2 + nameLength);
          at += 2 + nameLength;
          const length = bytes.readUInt32LE(at);
          const json = bytes.toString("utf8", at + 4, at + 4 + length);
          at += 4 + length;
          this.options.onAgent?.(name, JSON.parse(json));
          break;
        }
        case P.CRASH: {
          const length = bytes.readUInt32LE(at);
          const text = bytes.toString("utf8", at + 4, at + 4 + length);
          at += 4 + length;
          this.crash(text);
          return false;
        }
        case P.STATS:
          stats.xsSockets = bytes.readUInt32LE(at);
          stats.xsTimers = bytes.readUInt32LE(at + 4);
          at += 8;
          break;
        default:
          this.crash(`simulator protocol error: reply record ${type}`);
          return false;
      }
    }
    return true;
  }

  private setWake(at: number): void {
    this.wakeAt = at;
    if (this.wakeTimer !== undefined) {
      clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
    }
    if (at < 0 || this.stopping) return;
    const delay = Math.max(0, at - this.now());
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.forceCommand = true;
      this.schedule();
    }, delay);
  }

  // ---- sockets ----

  /** XS asks to bind `port` (0: any) for `handle`, synchronously from its point of view. */
  private async request(request: Buffer): Promise<Buffer> {
    if (request[0] !== P.BIND || request.byteLength < P.BIND_HEADER) return Buffer.from([P.BIND_FAILED, 0, 0]);
    const handle = request.readUInt32LE(1);
    const port = request.readUInt16LE(5);
    const which = request[7];
    // What XS did earlier in this command comes first: its sends go out, and the sockets it closed
    // free their ports before this bind (impOS: close frees the port).
    if (!this.records(request.subarray(P.BIND_HEADER))) return Buffer.from([P.BIND_FAILED, 0, 0]);
    const answer = Buffer.alloc(3);
    try {
      const bound = await this.bindGroup(handle, port, which === P.EVERY_INTERFACE ? this.interfaces : [this.interfaces[which]]);
      answer[0] = P.BIND_OK;
      answer.writeUInt16LE(bound, 1);
      return answer;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") {
        answer[0] = P.BIND_IN_USE;
        return answer;
      }
      answer[0] = P.BIND_FAILED;
      return Buffer.concat([answer, Buffer.from((error as Error).message, "utf8")]);
    }
  }

  /**
   * Binds `port` on the unicast (and, off loopback, subnet-broadcast) address
   * of each of `interfaces`: one interface for a socket that belongs to it, every
   * interface for one bound to IP_ADDR_ANY.
   */
  private async bindGroup(handle: number, port: number, interfaces: readonly (InterfaceState | undefined)[]): Promise<number> {
    await this.closing.get(port);
    const group: SocketGroup = { port, receivers: [], inFlight: 0, sent: noop, drained: undefined };
    group.sent = (error) => {
      if (error !== null) this.sendFailed(error);
      if (--group.inFlight === 0 && group.drained !== undefined) group.drained();
    };
    try {
      for (const iface of interfaces) {
        if (iface === undefined) throw new Error("bind: no such simulated interface");
        group.port = await this.bindOne(group, handle, iface, iface.addressNumber, group.port);
        if (!iface.loopback) await this.bindOne(group, handle, iface, iface.broadcastNumber, group.port);
      }
    } catch (error) {
      for (const receiver of group.receivers) receiver.socket.close();
      throw error;
    }
    this.groups.set(handle, group);
    this.stats.osSockets += group.receivers.length;
    return group.port;
  }

  private bindOne(group: SocketGroup, handle: number, iface: InterfaceState, destination: number, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: "udp4", reuseAddr: false, lookup: dottedQuad });
      const receiver: Receiver = { socket, handle, destination, iface };
      socket.once("error", reject);
      socket.bind({ address: P.numberToAddress(destination), port, exclusive: true }, () => {
        socket.off("error", reject);
        socket.on("error", (error) => this.sendFailed(error));
        try {
          socket.setBroadcast(true);
          socket.setRecvBufferSize(4 << 20);
        } catch {
          // Buffer size is capped by net.core.rmem_max; the default still works.
        }
        socket.on("message", (data, info) => this.arrived(receiver, data, info.address, info.port));
        group.receivers.push(receiver);
        resolve(socket.address().port);
      });
    });
  }

  /**
   * XS closed a socket. Its datagrams already handed to Node go out first
   * (on an ESP32 lwIP has taken them by the time `write()` returns), then the
   * real sockets close; a bind of the same port waits for that.
   */
  private closeGroup(handle: number): void {
    const group = this.groups.get(handle);
    if (group === undefined) return;
    this.groups.delete(handle);
    this.stats.osSockets -= group.receivers.length;
    const drained = group.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (group.drained = resolve));
    const closed = drained
      .then(() => Promise.all(group.receivers.map((r) => new Promise<void>((resolve) => r.socket.close(resolve)))))
      .then(() => {
        if (this.closing.get(group.port) === closed) this.closing.delete(group.port);
      });
    this.closing.set(group.port, closed);
  }

  /** A datagram for the firmware: into the batch for the next command. */
  private arrived(receiver: Receiver, data: Buffer, fromAddress: string, fromPort: number): void {
    const stats = this.stats;
    if (!receiver.iface.linkUp) {
      stats.droppedLinkDown++;
      return;
    }
    if (this.queued >= this.maxQueued) {
      stats.droppedQueueFull++;
      return;
    }
    let batch = this.batch;
    if (batch.packets >= this.maxBatch) {
      this.overflow.push(batch);
      batch = this.batch = new Batch();
    }
    stats.packetsIn++;
    stats.bytesIn += data.byteLength;
    this.queued++;
    batch.packets++;
    batch.ensure(P.PACKET_HEADER + data.byteLength);
    const buffer = batch.buffer;
    let at = batch.length;
    buffer[at] = P.PACKET;
    buffer.writeUInt32LE(receiver.handle, at + 1);
    buffer.writeUInt32LE(this.addressNumber(fromAddress), at + 5);
    buffer.writeUInt16LE(fromPort, at + 9);
    buffer.writeUInt32LE(receiver.destination, at + 11);
    buffer.writeUInt32LE(data.byteLength, at + 15);
    at += P.PACKET_HEADER;
    data.copy(buffer, at);
    batch.length = at + data.byteLength;
    this.schedule();
  }

  private transmit(handle: number, to: number, port: number, bytes: Buffer, at: number, length: number): void {
    const group = this.groups.get(handle);
    if (group === undefined || group.receivers.length === 0) return;
    // Send from the interface whose subnet holds the destination (its source address), else the first.
    let receiver = group.receivers[0];
    for (const candidate of group.receivers) {
      const iface = candidate.iface;
      if (candidate.destination === iface.addressNumber && ((to & iface.mask) >>> 0) === iface.networkNumber) {
        receiver = candidate;
        break;
      }
    }
    this.stats.packetsOut++;
    this.stats.bytesOut += length;
    if (port === 0) {
      // impOS allows destination port 0; no OS will put it on the wire (Node's dgram refuses it).
      this.sendFailed(new Error(`destination port 0 of ${this.addressText(to)} cannot be sent to`));
      return;
    }
    // The completion callback counts the datagram until the OS has it, so a close waits for it.
    group.inFlight++;
    try {
      receiver.socket.send(bytes, at, length, port, this.addressText(to), group.sent);
    } catch (error) {
      group.sent(error as Error);
    }
  }

  private sendFailed(error: Error): void {
    const stats = this.stats;
    stats.sendErrors++;
    if (stats.sendErrors <= 10) this.note(`a send failed in the host OS: ${error.message}${stats.sendErrors === 10 ? " (no more of these)" : ""}`);
  }

  private addressText(value: number): string {
    let text = this.addressTexts.get(value);
    if (text === undefined) {
      if (this.addressTexts.size > 4096) this.addressTexts.clear();
      text = P.numberToAddress(value);
      this.addressTexts.set(value, text);
    }
    return text;
  }

  private addressNumber(address: string): number {
    let value = this.addressNumbers.get(address);
    if (value === undefined) {
      if (this.addressNumbers.size > 4096) this.addressNumbers.clear();
      value = P.addressToNumber(address);
      this.addressNumbers.set(address, value);
    }
    return value;
  }

  // ---- links ----

  private iface(name: string): InterfaceState {
    const iface = this.interfaces.find((i) => i.spec.name === name);
    if (iface === undefined) {
      throw new Error(`no simulated interface ${name} (have: ${this.interfaces.map((i) => i.spec.name).join(", ")})`);
    }
    return iface;
  }

  private linkStarted(name: string): void {
    const iface = this.interfaces.find((i) => i.spec.name === name);
    if (iface === undefined) return;
    iface.started = true;
    if (iface.wanted === "up") {
      this.cancelBringUp(iface);
      this.bringUp(iface);
    }
  }

  /** Carrier after the link delay, address after the DHCP delay. */
  private bringUp(iface: InterfaceState): void {
    const linkDelay = this.options.linkDelayMs ?? 5;
    iface.timers.push(
      setTimeout(() => {
        iface.linkUp = true;
        this.linkEvent(iface, "link-up");
        iface.timers.push(setTimeout(() => this.linkEvent(iface, "address"), iface.dhcpDelay));
      }, linkDelay),
    );
  }

  private cancelBringUp(iface: InterfaceState): void {
    for (const timer of iface.timers) clearTimeout(timer);
    iface.timers.length = 0;
  }

  private linkEvent(iface: InterfaceState, event: string): void {
    const name = Buffer.from(iface.spec.name, "utf8");
    const text = Buffer.from(event, "utf8");
    const batch = this.batch;
    batch.ensure(3 + name.byteLength + text.byteLength);
    const buffer = batch.buffer;
    buffer[batch.length++] = P.LINK;
    buffer[batch.length++] = name.byteLength;
    name.copy(buffer, batch.length);
    batch.length += name.byteLength;
    buffer[batch.length++] = text.byteLength;
    text.copy(buffer, batch.length);
    batch.length += text.byteLength;
    this.schedule();
  }

  // ---- output and endings ----

  private printLines(chunk: Buffer): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line !== "") this.note(`xs print: ${line}`);
  }

  private note(line: string): void {
    this.options.onNote?.(line);
  }

  private crash(raw: string): void {
    if (this.stopping) return;
    this.stopping = true;
    const text = this.bundle === undefined ? raw : this.bundle.mapStack(raw);
    this.traceLines.flush();
    this.options.onCrash?.(text);
    this.engine.kill();
    this.end(1, text.split("\n")[0]);
  }

  private end(code: number, reason: string): void {
    this.stopping = true;
    this.traceLines.flush();
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    for (const iface of this.interfaces) this.cancelBringUp(iface);
    for (const handle of [...this.groups.keys()]) this.closeGroup(handle);
    if (this.bundle !== undefined) removeBundle(this.bundle);
    this.finish({ code, reason });
  }
}

/** Every interface address must belong to this host (so real sockets can bind it). */
async function checkInterfaces(interfaces: SimInterface[]): Promise<void> {
  const seen = new Set<string>();
  for (const iface of interfaces) {
    if (iface.name !== "eth0" && iface.name !== "wl0") throw new Error(`interface ${iface.name} is not eth0 or wl0`);
    if (seen.has(iface.name)) throw new Error(`interface ${iface.name} is given twice`);
    seen.add(iface.name);
    if (P.addressToNumber(iface.address) < 0) {
      throw new Error(`interface ${iface.name}: ${iface.address} is not a dotted-quad IPv4 address`);
    }
    if (iface.prefix !== undefined && (!Number.isInteger(iface.prefix) || iface.prefix < 1 || iface.prefix > 30)) {
      throw new Error(`interface ${iface.name}: prefix /${iface.prefix} is not 1-30`);
    }
    await new Promise<void>((resolve, reject) => {
      const probe = createSocket("udp4");
      probe.once("error", (error: NodeJS.ErrnoException) => {
        probe.close();
        reject(
          new Error(
            error.code === "EADDRNOTAVAIL"
              ? `interface ${iface.name}: ${iface.address} is not an address of this host`
              : `interface ${iface.name}: cannot use ${iface.address}: ${error.message}`,
          ),
        );
      });
      probe.bind({ address: iface.address, port: 0 }, () => {
        probe.close();
        resolve();
      });
    });
  }
}
