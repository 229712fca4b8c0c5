/**
 * UDP endpoints on the platform's ECMA-419-shaped UDP socket, which the host
 * picks in its manifest as `impnet/udp-socket`: stock Moddable's
 * `embedded:io/socket/udp` or impnet's native one (docs/native-udp.md §2). The platform socket is
 * itself the core's endpoint (same read/write/close shape), so nothing sits
 * between the core and Moddable on the receive or send path: `onReadable`
 * (one shared function; the core's socket is the `target`) tells the core,
 * which drains the queue with `read()` (ESP32 calls `onReadable` again only
 * when another packet arrives) and wraps each buffer in a Blob (no copy).
 * The socket is asked to belong to its interface (`interface` option), which
 * hosts that can bind a socket to one interface honour.
 */
import UDP from "impnet/udp-socket";
import { HostError, type Endpoint, type PacketReceiver } from "impnet/port";
import type { UdpConstructor419, UdpSocket419 } from "./platform";

const Socket = UDP as unknown as UdpConstructor419;

function onReadable(this: UdpSocket419): void {
  (this.target as PacketReceiver).readable(this);
}

/** Binds `port` on interface `iface` and delivers its datagrams to `receiver`. Throws `HostError` for Moddable's bind errors. */
export function openUdpEndpoint(port: number, receiver: PacketReceiver, iface: string): Endpoint {
  try {
    return new Socket({ port, onReadable, target: receiver, interface: iface });
  } catch (error) {
    throw bindError(error, port);
  }
}

/** Moddable's constructor errors, as the core's host failures. */
function bindError(error: unknown, port: number): HostError {
  const message = error instanceof Error ? error.message : String(error);
  // Debug builds of XS append " (in frame)" to errors thrown from C.
  if (message === "bind failed" || message.startsWith("bind failed (")) return new HostError("in-use", `port ${port} is in use`);
  if (message === "no network" || message.startsWith("no network (")) return new HostError("no-network", "no network interface is up yet");
  return new HostError("failed", message);
}
