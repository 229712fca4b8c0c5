/**
 * The XS simulator's Node supervisor: runs an app (with impnet and the
 * Moddable port) inside the XS engine, owns the real UDP sockets and the
 * simulated interfaces, and drives links, time and the agent channel.
 *
 * Packets flow to XS in batches (one `?` command carries every datagram
 * that arrived since the last one); sends come back in the command's reply.
 * This module schedules the commands and keeps time; the jobs around it
 * live next to it: batch.ts (the next command), protocol.ts (the wire
 * format, shared with the firmware), replies.ts (the reply's records),
 * sockets.ts (the real UDP sockets), links.ts (the simulated links).
 */
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { XsEngine, type Meter, type Reply } from "./engine";
import { bundleApp, removeBundle, type Bundle } from "./bundle";
import * as P from "./protocol";
import { TraceLines } from "./trace-lines";
import { Batch } from "./batch";
import { Links, type InterfaceState, type SimInterface, type Wanted } from "./links";
import { Sockets, type Receiver, type SocketEvents } from "./sockets";
import { handleReply, type ReplyHandler } from "./replies";

export type { SimInterface, Wanted } from "./links";

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
  private readonly links: Links;
  private readonly sockets: Sockets;
  /** Where XS's reply records go (replies.ts). */
  private readonly replies: ReplyHandler = {
    send: (handle, to, port, bytes, at, length) => this.onSend(handle, to, port, bytes, at, length),
    log: (level, text) => this.onLog(level, text),
    close: (handle) => this.onClose(handle),
    linkStarted: (name) => this.onLinkStart(name),
    wake: (at) => this.setWake(at),
    agent: (name, json) => this.onAgentSend(name, json),
    crash: (text) => this.crash(text),
    stats: (sockets, timers) => this.onStats(sockets, timers),
  };
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
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly traceLines: TraceLines;

  private constructor(private readonly options: SimOptions) {
    this.maxQueued = options.maxQueuedPackets ?? 50_000;
    this.maxBatch = options.maxBatchPackets ?? 256;
    this.traceLines = new TraceLines((line) => options.onTrace?.(line));
    const specs = options.interfaces ?? [{ name: "eth0", address: "127.0.0.1" }];
    this.links = new Links(specs, options, (iface, event) => this.linkEvent(iface, event));
    const events: SocketEvents = {
      arrived: (receiver, data, address, port) => this.arrived(receiver, data, address, port),
      sendFailed: (error) => this.sendFailed(error),
    };
    this.sockets = new Sockets(events);
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
      this.links.set(a, b);
    } else if (verb === "dhcp" && words.length === 4 && b === "delay") {
      const ms = Number(c);
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`dhcp: delay ${c} is not a number of milliseconds >= 0`);
      this.links.get(a).dhcpDelay = ms;
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
    this.links.set(name, wanted);
  }

  /** Delivers an agent message to the app's `agent.on` handler. */
  agent(name: string, data: unknown): void {
    P.writeAgent(this.batch, P.AGENT, name, JSON.stringify(data ?? null));
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
    return this.sockets.handleFor(port);
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
    await this.engine.close().catch(() => {});
    this.end(0, "stopped");
  }

  // ---- start-up ----

  private async load(bundle: Bundle): Promise<void> {
    this.bundle = bundle;
    const seed = this.options.seed ?? Array.from(new Uint32Array(randomBytes(16).buffer, 0, 4));
    const settings: P.SimSettings = {
      interfaces: this.links.interfaces.map((i) => i.spec),
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
    start[8] = P.START; // a command of one record: the board time, then START
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
    const interfaces = this.links.interfaces;
    config.impnet_primary ??= interfaces[0]?.spec.name;
    for (const iface of interfaces) {
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
      P.writeU8(batch, P.HEAP);
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
    handleReply(reply.bytes, this.replies);
  }

  // ---- reply records (ReplyHandler) ----

  /** SEND */
  private onSend(handle: number, to: number, port: number, bytes: Buffer, at: number, length: number): void {
    if (!this.sockets.transmit(handle, to, port, bytes, at, length)) return;
    this.stats.packetsOut++;
    this.stats.bytesOut += length;
  }

  /** LOG */
  private onLog(level: number, text: string): void {
    if (level === P.LOG_INFO) this.options.onLog?.(text);
    else if (level === P.LOG_ERROR) this.options.onError?.(this.bundle === undefined ? text : this.bundle.mapStack(text));
    else if (level === P.LOG_TRACE) this.traceLines.push(text);
    else this.note(text);
  }

  /** CLOSE */
  private onClose(handle: number): void {
    this.sockets.close(handle);
    this.stats.osSockets = this.sockets.osSockets;
  }

  /** LINKSTART */
  private onLinkStart(name: string): void {
    this.links.started(name);
  }

  /** AGENTSEND */
  private onAgentSend(name: string, json: string): void {
    this.options.onAgent?.(name, JSON.parse(json));
  }

  /** STATS */
  private onStats(sockets: number, timers: number): void {
    this.stats.xsSockets = sockets;
    this.stats.xsTimers = timers;
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
    const answer = await this.bind(request);
    return Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
  }

  private async bind(request: Buffer): Promise<Uint8Array> {
    const bind = P.decodeBind(request);
    if (bind === undefined) return P.encodeBindAnswer(P.BIND_FAILED, 0);
    // What XS did earlier in this command comes first: its sends go out, and the sockets it closed
    // free their ports before this bind (impOS: close frees the port).
    if (!handleReply(request.subarray(P.BIND_HEADER), this.replies)) return P.encodeBindAnswer(P.BIND_FAILED, 0);
    const interfaces = this.links.interfaces;
    try {
      const bound = await this.sockets.bind(bind.handle, bind.port, bind.iface === P.EVERY_INTERFACE ? interfaces : [interfaces[bind.iface]]);
      this.stats.osSockets = this.sockets.osSockets;
      return P.encodeBindAnswer(P.BIND_OK, bound);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") return P.encodeBindAnswer(P.BIND_IN_USE, 0);
      return P.encodeBindAnswer(P.BIND_FAILED, 0, (error as Error).message);
    }
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
    P.writePacketHeader(batch, receiver.handle, P.addressNumber(fromAddress), fromPort, receiver.destination, data.byteLength);
    data.copy(batch.bytes, batch.length);
    batch.length += data.byteLength;
    this.schedule();
  }

  private sendFailed(error: Error): void {
    const stats = this.stats;
    stats.sendErrors++;
    if (stats.sendErrors <= 10) this.note(`a send failed in the host OS: ${error.message}${stats.sendErrors === 10 ? " (no more of these)" : ""}`);
  }

  // ---- links ----

  private linkEvent(iface: InterfaceState, event: P.LinkEvent): void {
    P.writeLink(this.batch, iface.spec.name, event);
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
    this.links.stop();
    this.sockets.closeAll();
    this.stats.osSockets = this.sockets.osSockets;
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
