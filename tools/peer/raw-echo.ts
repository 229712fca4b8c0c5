// A plain Node dgram echo server: the baseline the peer (and the simulator) is
// measured against. It echoes every datagram back to its sender, except to
// senders outside loopback and the private ranges, which it counts and drops.

import dgram from "node:dgram";
import { isAllowedDestination, parseListen, type Endpoint } from "./address.ts";
import { closeSocket } from "./common.ts";

export interface RawEchoOptions {
  /** "[ADDRESS:]PORT", a port, or an endpoint. Default 127.0.0.1:0 (ephemeral). */
  listen?: string | number | Endpoint;
  /** Also bind with SO_REUSEADDR. */
  reuseAddr?: boolean;
}

export interface RawEchoStats {
  received: number;
  echoed: number;
  /** Datagrams from senders the peer may not send to (not echoed). */
  refused: number;
  sendErrors: number;
}

export interface RawEchoServer {
  readonly address: string;
  readonly port: number;
  readonly stats: RawEchoStats;
  readonly socket: dgram.Socket;
  close(): Promise<void>;
}

export async function startRawEcho(options: RawEchoOptions = {}): Promise<RawEchoServer> {
  const l = options.listen;
  const ep: Endpoint =
    l === undefined
      ? { address: "127.0.0.1", port: 0 }
      : typeof l === "number"
        ? { address: "127.0.0.1", port: l }
        : typeof l === "string"
          ? parseListen(l, "127.0.0.1", true)
          : l;
  const sock = dgram.createSocket({ type: "udp4", reuseAddr: options.reuseAddr ?? false });
  const stats: RawEchoStats = { received: 0, echoed: 0, refused: 0, sendErrors: 0 };
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(ep.port, ep.address, () => {
      sock.off("error", reject);
      resolve();
    });
  });
  try {
    sock.setRecvBufferSize(4 << 20);
    sock.setSendBufferSize(4 << 20);
  } catch {
    // best effort
  }
  let lastAddr = "";
  let lastAllowed = false;
  const onSent = (err: Error | null) => {
    if (err) stats.sendErrors++;
    else stats.echoed++;
  };
  sock.on("error", () => {
    stats.sendErrors++;
  });
  sock.on("message", (msg, rinfo) => {
    stats.received++;
    if (rinfo.address !== lastAddr) {
      lastAddr = rinfo.address;
      lastAllowed = isAllowedDestination(rinfo.address);
    }
    if (!lastAllowed) {
      stats.refused++;
      return;
    }
    sock.send(msg, rinfo.port, rinfo.address, onSent);
  });
  const a = sock.address();
  return {
    address: a.address,
    port: a.port,
    stats,
    socket: sock,
    close: () => closeSocket(sock),
  };
}
