/**
 * The XS side of the simulator: a `BoardIO` that turns the emulated board's
 * I/O into reply records for the Node supervisor, and the `handleCommand`
 * that feeds the board packets, link events, agent messages and time.
 *
 * Sends are copied into the reply (as lwIP copies into a pbuf) and go out
 * after the command, with no round trip per packet. Only `bind` is
 * synchronous (`issueCommand`), because Moddable's UDP constructor throws
 * "bind failed" synchronously; it carries everything the command produced
 * before it, so earlier sends and closes reach the supervisor first.
 *
 * Promise jobs: Moddable runs the firmware's promise jobs after every host
 * callback (a timer pass, a readable socket, a network event). xsnap runs
 * them only when the command's function returns, and then its
 * `setImmediate` callbacks, each only once the job queue is empty. So the
 * command is run as a chain: one host event, then `setImmediate` for the
 * next, and the jobs an event queued run before the next event does.
 */
import { Board, installBoard, type BoardIO, type ReceivedDatagram } from "../board/board";
import { Output } from "./output";
import { seedMathRandom } from "./random";
import * as P from "../protocol";
import type { AgentInbox, AgentTransport, LogSink } from "impnet/port";

export type { SimSettings } from "../protocol";
import type { SimSettings } from "../protocol";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Cache of dotted quads by number, so a busy peer's address string is made once. */
const addressCache = new Map<number, string>();
function addressString(value: number): string {
  let text = addressCache.get(value);
  if (text === undefined) {
    if (addressCache.size > 4096) addressCache.clear();
    text = P.numberToAddress(value);
    addressCache.set(value, text);
  }
  return text;
}

/** Cache of address numbers by dotted quad (a string scan per send would allocate in XS). */
const numberCache = new Map<string, number>();
function addressNumber(address: string): number {
  let value = numberCache.get(address);
  if (value === undefined) {
    if (numberCache.size > 4096) numberCache.clear();
    value = P.addressToNumber(address);
    numberCache.set(address, value);
  }
  return value;
}

/** A datagram while the bridge fills in its sender (ReceivedDatagram is read-only to everyone else). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

function describeCrash(error: unknown): string {
  if (error instanceof Error) return typeof error.stack === "string" && error.stack !== "" ? error.stack : `${error.name}: ${error.message}`;
  return `uncaught ${String(error)}`;
}

export class Bridge implements BoardIO, LogSink {
  readonly board: Board;
  private readonly out = new Output();
  private time = 0;
  /** `agent.send` / `agent.on` over the supervisor's control channel. */
  readonly agent: AgentTransport;
  private inbox: AgentInbox | undefined;
  private loadApp: (() => Promise<unknown>) | undefined;
  private collect = false;
  /** The command being run, and where its next record starts. */
  private command = new ArrayBuffer(0);
  private bytes = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);
  private at = 0;
  /** Whether this command's timer pass ran. */
  private timersRan = true;
  private readonly resume = (): void => this.run();

  constructor(settings: SimSettings) {
    seedMathRandom(settings.seed);
    this.board = new Board(this, settings.interfaces, settings.config);
    installBoard(this.board);
    this.agent = new AgentChannel(this);
  }

  /** The app's module, run by the START command. */
  setApp(loadApp: () => Promise<unknown>): void {
    this.loadApp = loadApp;
  }

  // ---- BoardIO ----

  now(): number {
    return this.time;
  }

  bind(handle: number, port: number, iface: string | undefined): number {
    // Everything this command produced so far goes first: the supervisor sends the datagrams and
    // closes the sockets in it (freeing their ports) before it binds, in program order.
    const before = this.out.take();
    const request = new ArrayBuffer(P.BIND_HEADER);
    const view = new DataView(request);
    view.setUint8(0, P.BIND);
    view.setUint32(1, handle, true);
    view.setUint16(5, port, true);
    view.setUint8(7, iface === undefined ? P.EVERY_INTERFACE : this.board.interfaceIndex(iface));
    const answer = issueCommand(before.byteLength === 0 ? request : request.concat(before));
    const status = new Uint8Array(answer)[0];
    const bound = new DataView(answer).getUint16(1, true);
    if (status === P.BIND_OK) return bound;
    if (status === P.BIND_IN_USE) throw new Error("bind failed");
    throw new Error(decoder.decode(new Uint8Array(answer, 3)) || "bind failed");
  }

  send(handle: number, data: ArrayBuffer, address: string, port: number): void {
    this.out.send(handle, addressNumber(address), port, data);
  }

  close(handle: number): void {
    this.out.u8(P.CLOSE);
    this.out.u32(handle);
  }

  startLink(name: string): void {
    this.out.u8(P.LINKSTART);
    this.text8(name);
  }

  note(text: string): void {
    this.line(P.LOG_NOTE, text);
  }

  // ---- LogSink (server.log / server.error) ----

  log(line: string): void {
    this.line(P.LOG_INFO, line);
  }

  error(line: string): void {
    this.line(P.LOG_ERROR, line);
  }

  /** `trace()` text, as written (the supervisor splits it into lines). */
  trace(text: string): void {
    this.line(P.LOG_TRACE, text);
  }

  // ---- agent channel ----

  /** @internal */
  agentSend(name: string, data: unknown): number {
    let json: string;
    try {
      json = JSON.stringify(data === undefined ? null : data);
    } catch {
      return 1; // not serialisable: SEND_ERROR_NOT_CONNECTED is the only code agent.send has
    }
    const name8 = encoder.encode(name);
    const json8 = encoder.encode(json);
    const out = this.out;
    out.u8(P.AGENTSEND);
    out.u16(name8.byteLength);
    out.copy(name8);
    out.u32(json8.byteLength);
    out.copy(json8);
    return 0;
  }

  /** @internal */
  agentListen(inbox: AgentInbox): void {
    this.inbox = inbox;
  }

  // ---- commands ----

  /** `globalThis.handleCommand`: one batch from the supervisor. */
  handle(command: ArrayBuffer): { readonly result: ArrayBuffer } {
    this.command = command;
    this.bytes = new Uint8Array(command);
    this.view = new DataView(command);
    this.time = this.view.getFloat64(0, true);
    this.at = 8;
    this.timersRan = false;
    this.run();
    return this;
  }

  /** Read by xsnap once the command's events, promise jobs and `setImmediate` chain are done: the reply. */
  get result(): ArrayBuffer {
    const b = this.board;
    this.reportCrashes();
    const out = this.out;
    out.u8(P.WAKE);
    out.f64(b.nextTimerAt());
    out.u8(P.STATS);
    out.u32(b.sockets.size);
    out.u32(b.timerCount());
    if (this.collect) {
      this.collect = false;
      gc();
    }
    return out.take();
  }

  /** Runs the command's next host event; when firmware code ran, continues after its promise jobs. */
  private run(): void {
    try {
      if (this.step()) setImmediate(this.resume);
    } catch (error) {
      // The rest of the command is dropped: the supervisor stops on a crash.
      this.at = this.bytes.byteLength;
      this.timersRan = true;
      this.crash(error);
    }
  }

  /**
   * Handles records up to and including the next one that calls into the
   * firmware; returns whether one did. Order: packets are queued as they
   * come, and their sockets hear of them (`onReadable`) before any later
   * record; after the last record, one pass of the due timers.
   */
  private step(): boolean {
    const bytes = this.bytes;
    const view = this.view;
    const b = this.board;
    const command = this.command;
    const end = bytes.byteLength;
    while (this.at < end) {
      let at = this.at;
      let type = bytes[at];
      // The hot path: a run of packets, read with locals only.
      while (type === P.PACKET) {
        const handle = view.getUint32(at + 1, true);
        const from = view.getUint32(at + 5, true);
        const fromPort = view.getUint16(at + 9, true);
        const to = view.getUint32(at + 11, true);
        const length = view.getUint32(at + 15, true);
        at += P.PACKET_HEADER;
        const packet: Writable<ReceivedDatagram> = command.slice(at, at + length) as ReceivedDatagram;
        at += length;
        packet.address = addressString(from);
        packet.port = fromPort;
        packet.destination = addressString(to);
        b.packet(handle, packet);
        type = at < end ? bytes[at] : -1;
      }
      this.at = at;
      if (at >= end) break;
      // Anything else happens after the packets that arrived before it.
      if (b.notifyReadable()) return true;
      at++;
      switch (type) {
        case P.LINK: {
          const name = decoder.decode(bytes.subarray(at + 1, at + 1 + bytes[at]));
          at += 1 + bytes[at];
          const event = decoder.decode(bytes.subarray(at + 1, at + 1 + bytes[at]));
          this.at = at + 1 + bytes[at];
          b.linkEvent(name, event);
          return true;
        }
        case P.AGENT: {
          const nameLength = view.getUint16(at, true);
          const name = decoder.decode(bytes.subarray(at + 2, at + 2 + nameLength));
          at += 2 + nameLength;
          const jsonLength = view.getUint32(at, true);
          const json = decoder.decode(bytes.subarray(at + 4, at + 4 + jsonLength));
          this.at = at + 4 + jsonLength;
          this.inbox?.deliver(name, JSON.parse(json));
          return true;
        }
        case P.START: {
          this.at = at;
          const load = this.loadApp;
          if (load !== undefined) load().then(undefined, (error) => this.crash(error));
          return true;
        }
        case P.HEAP:
          this.at = at;
          this.collect = true;
          break;
        case P.NOTIFY:
          this.at = at;
          break; // the notifyReadable() above is the point
        default:
          throw new Error(`impnet simulator: unknown command record ${type}`);
      }
    }
    if (b.notifyReadable()) return true;
    if (this.timersRan) return false;
    this.timersRan = true;
    return b.runTimers();
  }

  private crash(error: unknown): void {
    const text = encoder.encode(describeCrash(error));
    this.out.u8(P.CRASH);
    this.out.u32(text.byteLength);
    this.out.copy(text);
  }

  private reportCrashes(): void {
    const crashes = this.board.crashes;
    while (crashes.length > 0) this.crash(crashes.shift());
  }

  private line(level: number, text: string): void {
    const bytes = encoder.encode(text);
    const out = this.out;
    out.u8(P.LOG);
    out.u8(level);
    out.u32(bytes.byteLength);
    out.copy(bytes);
  }

  private text8(text: string): void {
    const bytes = encoder.encode(text);
    this.out.u8(bytes.byteLength);
    this.out.copy(bytes);
  }
}

/** The agent side of `agent.send` / `agent.on`: the simulator's control channel. */
class AgentChannel implements AgentTransport {
  constructor(private readonly bridge: Bridge) {}

  send(name: string, data: unknown): number {
    return this.bridge.agentSend(name, data);
  }

  listen(inbox: AgentInbox): void {
    this.bridge.agentListen(inbox);
  }
}

let current: Bridge | undefined;

/** Creates the bridge (once, when the bundle loads). */
export function startBridge(settings: SimSettings): Bridge {
  current = new Bridge(settings);
  return current;
}

/** The running bridge. */
export function bridge(): Bridge {
  if (current === undefined) throw new Error("impnet simulator: bridge not started");
  return current;
}
