/**
 * The real UDP sockets behind the firmware's emulated ones. An XS socket
 * bound to one interface gets a real socket on its unicast address and,
 * off loopback, one on its subnet-broadcast address (each tagged with the
 * destination it stands for); one bound to every interface gets those of
 * every interface.
 */
import { createSocket, type Socket } from "node:dgram";
import type { InterfaceState } from "./links";
import { addressText } from "./protocol";

/** One real socket receiving for an XS handle, tagged with the destination it stands for. */
export interface Receiver {
  socket: Socket;
  handle: number;
  destination: number;
  iface: InterfaceState;
}

/** The real sockets of one XS socket. */
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

/** What the sockets tell the simulator. */
export interface SocketEvents {
  /** A datagram arrived on `receiver`. */
  arrived(receiver: Receiver, data: Buffer, fromAddress: string, fromPort: number): void;
  /** The host OS refused a send (asynchronously or at once). */
  sendFailed(error: Error): void;
}

/**
 * dgram's address lookup for the dotted quads the simulator sends to. The
 * default (dns.lookup) answers on the next tick even for an IP address;
 * answering at once hands each datagram to the OS inside `send()`.
 */
function dottedQuad(address: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  callback(null, address, 4);
}

const noop = (): void => {};

export class Sockets {
  private readonly groups = new Map<number, SocketGroup>();
  /** Ports whose sockets are still closing. */
  private readonly closing = new Map<number, Promise<void>>();
  /** Real OS sockets held for the firmware. */
  osSockets = 0;

  constructor(private readonly events: SocketEvents) {}

  /** The XS socket handle bound to `port`, if any. */
  handleFor(port: number): number | undefined {
    for (const [handle, group] of this.groups) if (group.port === port) return handle;
    return undefined;
  }

  /**
   * Binds `port` (0: any) on the unicast (and, off loopback,
   * subnet-broadcast) address of each of `interfaces`: one interface for a
   * socket that belongs to it, every interface for one bound to IP_ADDR_ANY.
   * Returns the port bound; rejects with the OS error (EADDRINUSE when taken).
   */
  async bind(handle: number, port: number, interfaces: readonly (InterfaceState | undefined)[]): Promise<number> {
    await this.closing.get(port);
    const group: SocketGroup = { port, receivers: [], inFlight: 0, sent: noop, drained: undefined };
    group.sent = (error) => {
      if (error !== null) this.events.sendFailed(error);
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
    this.osSockets += group.receivers.length;
    return group.port;
  }

  private bindOne(group: SocketGroup, handle: number, iface: InterfaceState, destination: number, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: "udp4", reuseAddr: false, lookup: dottedQuad });
      const receiver: Receiver = { socket, handle, destination, iface };
      socket.once("error", reject);
      socket.bind({ address: addressText(destination), port, exclusive: true }, () => {
        socket.off("error", reject);
        socket.on("error", (error) => this.events.sendFailed(error));
        try {
          socket.setBroadcast(true);
          socket.setRecvBufferSize(4 << 20);
        } catch {
          // Buffer size is capped by net.core.rmem_max; the default still works.
        }
        socket.on("message", (data, info) => this.events.arrived(receiver, data, info.address, info.port));
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
  close(handle: number): void {
    const group = this.groups.get(handle);
    if (group === undefined) return;
    this.groups.delete(handle);
    this.osSockets -= group.receivers.length;
    const drained = group.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (group.drained = resolve));
    const closed = drained
      .then(() => Promise.all(group.receivers.map((r) => new Promise<void>((resolve) => r.socket.close(resolve)))))
      .then(() => {
        if (this.closing.get(group.port) === closed) this.closing.delete(group.port);
      });
    this.closing.set(group.port, closed);
  }

  /** Closes every socket. */
  closeAll(): void {
    for (const handle of [...this.groups.keys()]) this.close(handle);
  }

  /**
   * Sends `length` bytes at `at` in `bytes` from socket `handle` to
   * `to`:`port`. Returns false when the handle has no real socket (XS
   * closed it); a refused send goes to `sendFailed`.
   */
  transmit(handle: number, to: number, port: number, bytes: Buffer, at: number, length: number): boolean {
    const group = this.groups.get(handle);
    if (group === undefined || group.receivers.length === 0) return false;
    // Send from the interface whose subnet holds the destination (its source address), else the first.
    let receiver = group.receivers[0];
    for (const candidate of group.receivers) {
      const iface = candidate.iface;
      if (candidate.destination === iface.addressNumber && ((to & iface.mask) >>> 0) === iface.networkNumber) {
        receiver = candidate;
        break;
      }
    }
    if (port === 0) {
      // impOS allows destination port 0; no OS will put it on the wire (Node's dgram refuses it).
      this.events.sendFailed(new Error(`destination port 0 of ${addressText(to)} cannot be sent to`));
      return true;
    }
    // The completion callback counts the datagram until the OS has it, so a close waits for it.
    group.inFlight++;
    try {
      receiver.socket.send(bytes, at, length, port, addressText(to), group.sent);
    } catch (error) {
      group.sent(error as Error);
    }
    return true;
  }
}
