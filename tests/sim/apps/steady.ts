/**
 * Test app for the simulator suites: opens one socket (port from mc/config
 * "port") the first time the interface is CONNECTED and keeps it open
 * whatever happens to the link, logging every state and every datagram.
 */
import config from "mc/config";
import { imp, server, type Blob, type UdpSocket } from "impnet";

const port = Number((config as Record<string, unknown>).port ?? 1234);
let sock: UdpSocket | null = null;

const iface = imp.net.open({ interface: "eth0" }, (state) => {
  server.log(`state ${state}`);
  if (state === imp.net.CONNECTED && sock === null) {
    sock = iface.openudp((from: string, fromPort: number, _to: string, _toPort: number, data: Blob) => {
      server.log(`rx ${data.tostring()} from ${from}:${fromPort} in state ${iface.getstate()}`);
    }, port);
    server.log(`open ${port}`);
  }
});
