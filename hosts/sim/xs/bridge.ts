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
  /** The command's bytes and where its next record starts (a protocol.ts reader). */
  private readonly input: P.ByteReader = { bytes: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), at: 0 };
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
    const request = P.encodeBind(handle, port, iface === undefined ? P.EVERY_INTERFACE : this.board.interfaceIndex(iface));
    const answer = P.decodeBindAnswer(issueCommand(before.byteLength === 0 ? request : request.concat(before)));
    if (answer.status === P.BIND_OK) return answer.port;
    if (answer.status === P.BIND_IN_USE) throw new Error("bind failed");
    throw new Error(answer.message || "bind failed");
  }

  send(handle: number, data: ArrayBuffer, address: string, port: number): void {
    this.out.send(handle, P.addressNumber(address), port, data);
  }

  close(handle: number): void {
    P.writeU8(this.out, P.CLOSE);
    P.writeU32(this.out, handle);
  }

  startLink(name: string): void {
    P.writeU8(this.out, P.LINKSTART);
    P.writeText(this.out, name, 1);
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
    P.writeAgent(this.out, P.AGENTSEND, name, json);
    return 0;
  }

  /** @internal */
  agentListen(inbox: AgentInbox): void {
    this.inbox = inbox;
  }

  // ---- commands ----

  /** `globalThis.handleCommand`: one batch from the supervisor. */
  handle(command: ArrayBuffer): { readonly result: ArrayBuffer } {
    const input = this.input;
    this.command = command;
    input.bytes = new Uint8Array(command);
    input.view = new DataView(command);
    input.at = 0;
    this.time = P.readF64(input);
    this.timersRan = false;
    this.run();
    return this;
  }

  /** Read by xsnap once the command's events, promise jobs and `setImmediate` chain are done: the reply. */
  get result(): ArrayBuffer {
    const b = this.board;
    this.reportCrashes();
    const out = this.out;
    P.writeU8(out, P.WAKE);
    P.writeF64(out, b.nextTimerAt());
    P.writeU8(out, P.STATS);
    P.writeU32(out, b.sockets.size);
    P.writeU32(out, b.timerCount());
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
      this.input.at = this.input.bytes.byteLength;
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
    const input = this.input;
    const bytes = input.bytes;
    const view = input.view;
    const b = this.board;
    const command = this.command;
    const end = bytes.byteLength;
    while (input.at < end) {
      let at = input.at;
      let type = bytes[at];
      // The hot path: a run of packets, read with locals only (the field offsets are inlined literals).
      while (type === P.PACKET) {
        const handle = view.getUint32(at + P.PacketField.handle, true);
        const from = view.getUint32(at + P.PacketField.from, true);
        const fromPort = view.getUint16(at + P.PacketField.fromPort, true);
        const to = view.getUint32(at + P.PacketField.to, true);
        const length = view.getUint32(at + P.PacketField.length, true);
        at += P.PacketField.payload;
        const packet: Writable<ReceivedDatagram> = command.slice(at, at + length) as ReceivedDatagram;
        at += length;
        packet.address = P.addressText(from);
        packet.port = fromPort;
        packet.destination = P.addressText(to);
        b.packet(handle, packet);
        type = at < end ? bytes[at] : -1;
      }
      input.at = at;
      if (at >= end) break;
      // Anything else happens after the packets that arrived before it.
      if (b.notifyReadable()) return true;
      input.at++;
      switch (type) {
        case P.LINK: {
          const name = P.readText(input, 1);
          b.linkEvent(name, P.readText(input, 1) as P.LinkEvent);
          return true;
        }
        case P.AGENT: {
          const name = P.readText(input, 2);
          const json = P.readText(input, 4);
          this.inbox?.deliver(name, JSON.parse(json));
          return true;
        }
        case P.START: {
          const load = this.loadApp;
          if (load !== undefined) load().then(undefined, (error) => this.crash(error));
          return true;
        }
        case P.HEAP:
          this.collect = true;
          break;
        case P.NOTIFY:
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
    P.writeCrash(this.out, describeCrash(error));
  }

  private reportCrashes(): void {
    const crashes = this.board.crashes;
    while (crashes.length > 0) this.crash(crashes.shift());
  }

  private line(level: number, text: string): void {
    P.writeLog(this.out, level, text);
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
