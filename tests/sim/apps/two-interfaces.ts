/**
 * Test app for "a socket belongs to its interface" (docs/compatibility.md
 * §6): eth0 and wl0, each with its own socket (ports from mc/config
 * eth0_port, wl0_port; defaults 4001, 4002) that logs what it receives and
 * answers "IFACE:text" to the sender. Agent "send" {iface, address, port,
 * text} sends from that interface's socket.
 */
import config from "mc/config";
import { imp, server, agent, type Blob, type NetInterface, type UdpSocket } from "impnet";

const settings = config as Record<string, unknown>;
const sockets = new Map<string, UdpSocket>();

function open(name: "eth0" | "wl0", port: number): void {
  const iface: NetInterface = imp.net.open({ interface: name }, (state) => {
    if (state !== imp.net.CONNECTED || sockets.has(name)) return;
    const socket = iface.openudp((from: string, fromPort: number, to: string, toPort: number, data: Blob) => {
      server.log(`rx ${name} ${from}:${fromPort} -> ${to}:${toPort} ${data.tostring()}`);
      socket.send(from, fromPort, `${name}:${data.tostring()}`);
    }, port);
    sockets.set(name, socket);
    server.log(`ready ${name} ${iface.getiptable().ipv4.address}:${port}`);
  });
}

open("eth0", Number(settings.eth0_port ?? 4001));
open("wl0", Number(settings.wl0_port ?? 4002));

agent.on("send", (message) => {
  const m = message as { iface: string; address: string; port: number; text: string };
  server.log(`send ${m.iface} rc ${sockets.get(m.iface)?.send(m.address, m.port, m.text)}`);
});
