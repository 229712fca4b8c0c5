/**
 * UDP endpoints on ECMA-419 `embedded:io/socket/udp`.
 *
 * Receive: one shared `onReadable` function (the endpoint is the socket's
 * `target`), draining the queue completely, as the ESP32 implementation
 * calls `onReadable` again only when another packet arrives. Each `read()`
 * buffer goes to the core as it is (no copy).
 */
import UDP from "embedded:io/socket/udp";
import { HostError, SEND_FAILED, SENT, type Endpoint, type PacketReceiver, type SendOutcome } from "impnet/port";
import type { UdpConstructor419, UdpSocket419 } from "./platform";

const Socket = UDP as unknown as UdpConstructor419;

function onReadable(this: UdpSocket419): void {
  const endpoint = this.target as ModdableEndpoint;
  const receiver = endpoint.receiver;
  let packet = this.read();
  while (packet !== undefined) {
    receiver.receive(packet, packet.address, packet.port, packet.destination);
    // The app may have closed the socket from its callback; a closed socket's read() throws.
    if (endpoint.closed) return;
    packet = this.read();
  }
}

/** One bound ECMA-419 UDP socket. */
export class ModdableEndpoint implements Endpoint {
  closed = false;
  private readonly socket: UdpSocket419;

  constructor(
    port: number,
    readonly receiver: PacketReceiver,
  ) {
    try {
      this.socket = new Socket({ port, onReadable, target: this });
    } catch (error) {
      throw bindError(error, port);
    }
  }

  send(data: ArrayBuffer | Uint8Array, address: string, port: number): SendOutcome {
    try {
      this.socket.write(data, address, port);
      return SENT;
    } catch {
      // "UDP send failed" (ESP32) / "sendto failed" (lin): no route, no buffers, or refused.
      return SEND_FAILED;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

/** Moddable's constructor errors, as the core's host failures. */
function bindError(error: unknown, port: number): HostError {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "bind failed") return new HostError("in-use", `port ${port} is in use`);
  if (message === "no network") return new HostError("no-network", "no network interface is up yet");
  return new HostError("failed", message);
}
