/**
 * Test app for native UDP on a namespace LAN (tests/hil/mcsim-lan.test.ts):
 * logs eth0's IP table once CONNECTED, then answers every datagram on port
 * 1234 with `KIND:TEXT`, KIND telling which address it was sent to
 * (unicast, broadcast = the subnet's, limited = 255.255.255.255), and logs
 * it. `broadcast PORT` makes it send `hello` to its subnet broadcast
 * address on PORT.
 */
import { imp, server, type Blob, type UdpSocket } from "impnet";

let sock: UdpSocket | null = null;
const iface = imp.net.open({ interface: "eth0" }, (state) => {
  if (state !== imp.net.CONNECTED || sock !== null) return;
  const ip = iface.getiptable().ipv4;
  server.log(`table ${JSON.stringify(ip)}`);
  sock = iface.openudp((from: string, fromPort: number, to: string, toPort: number, data: Blob) => {
    const kind = to === ip.address ? "unicast" : to === ip.broadcast ? "broadcast" : to === "255.255.255.255" ? "limited" : "other";
    const text = data.tostring();
    server.log(`rx ${kind} to ${to}:${toPort} from ${from}:${fromPort} ${text}`);
    const command = /^broadcast (\d+)$/.exec(text);
    if (command !== null) (sock as UdpSocket).send(ip.broadcast as string, Number(command[1]), "hello");
    (sock as UdpSocket).send(from, fromPort, `${kind}:${text}`);
  }, 1234);
  server.log("ready");
});
