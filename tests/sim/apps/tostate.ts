/** Test app for the namespace LAN: logs the toAddress of every datagram and echoes it. */
import { imp, server, type Blob, type UdpSocket } from "impnet";

let sock: UdpSocket | null = null;
const iface = imp.net.open({ interface: "eth0" }, (state) => {
  if (state === imp.net.CONNECTED && sock === null) {
    const ip = iface.getiptable().ipv4;
    sock = iface.openudp((from: string, fromPort: number, to: string, toPort: number, data: Blob) => {
      const kind = to === ip.address ? "unicast" : to === ip.broadcast ? "broadcast" : "other";
      server.log(`rx ${kind} to ${to}:${toPort} from ${from}:${fromPort} ${data.tostring()}`);
      (sock as UdpSocket).send(from, fromPort, `${kind}:${data.tostring()}`);
    }, 1234);
    server.log(`ready ${ip.address} ${ip.broadcast}`);
  }
});
