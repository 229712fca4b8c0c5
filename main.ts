/**
 * impnet's default app: the seed's UDP echo server on interface eth0,
 * port 1234, without the per-packet log line (a PC peer sends thousands of
 * packets a second). It answers datagrams addressed to this device or to
 * its subnet's broadcast address, and reopens its socket whenever Ethernet
 * comes back.
 *
 * The port can be changed with the `mc/config` key `echo_port`
 * (`impnet-sim --config echo_port=N`, `mcconfig echo_port=N`), so test suites
 * running side by side need not share port 1234.
 */
import config from "mc/config";
import { imp, server, type Blob, type UdpSocket } from "impnet";

const ECHO_PORT = Number((config as Record<string, unknown>).echo_port ?? 1234);

let udpsocket: UdpSocket | null = null;
let ucastIP: string | undefined;
let bcastIP: string | undefined;

function dataReceived(fromAddress: string, fromPort: number, toAddress: string, toPort: number, data: Blob): void {
  if (toAddress === ucastIP || toAddress === bcastIP) {
    const result = (udpsocket as UdpSocket).send(fromAddress, fromPort, data);
    if (result !== 0) server.error(`echo: could not send to ${fromAddress}:${fromPort} (code: ${result})`);
  }
}

function interfaceHandler(state: number): void {
  if (state === imp.net.CONNECTED && udpsocket === null) {
    const ipv4 = iface.getiptable().ipv4;
    ucastIP = ipv4.address;
    bcastIP = ipv4.broadcast;
    udpsocket = iface.openudp(dataReceived, ECHO_PORT);
    server.log(`echo: listening on ${ucastIP}:${ECHO_PORT} (broadcast ${bcastIP ?? "none"})`);
  }

  if (
    state === imp.net.ETHERNET_STOPPED ||
    state === imp.net.ETHERNET_STOPPED_UNHAPPY ||
    state === imp.net.ETHERNET_STOPPED_NO_LINK
  ) {
    server.error(`echo: Ethernet stopped (state ${state}) - closing UDP`);
    if (udpsocket !== null) {
      udpsocket.close();
      udpsocket = null;
    }
  }
}

const iface = imp.net.open({ interface: "eth0" }, interfaceHandler);
