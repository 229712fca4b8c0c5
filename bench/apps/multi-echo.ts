/**
 * Benchmark app: the main.ts echo on K sockets at once (ports BASE..BASE+K-1,
 * from mc/config "sockets" and "port"), to show impnet's cost per packet does
 * not grow with the number of open sockets.
 */
import config from "mc/config";
import { imp, server, type Blob, type UdpSocket } from "impnet";

const settings = config as Record<string, unknown>;
const count = Number(settings.sockets ?? 1);
const base = Number(settings.port ?? 1234);
const sockets: UdpSocket[] = [];
let ucastIP: string | undefined;
let bcastIP: string | undefined;

/** One receiver per socket, made once (not per packet). */
function receiver(index: number) {
  return (fromAddress: string, fromPort: number, toAddress: string, _toPort: number, data: Blob): void => {
    if (toAddress === ucastIP || toAddress === bcastIP) {
      const result = sockets[index].send(fromAddress, fromPort, data);
      if (result !== 0) server.error(`echo: code ${result}`);
    }
  };
}

const iface = imp.net.open({ interface: "eth0" }, (state) => {
  if (state === imp.net.CONNECTED && sockets.length === 0) {
    const ipv4 = iface.getiptable().ipv4;
    ucastIP = ipv4.address;
    bcastIP = ipv4.broadcast;
    for (let i = 0; i < count; i++) sockets.push(iface.openudp(receiver(i), base + i));
    server.log(`echo: listening on ${count} sockets from ${base}`);
  }
});
