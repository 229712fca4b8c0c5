/**
 * The seed's UDP echo server (impOS `interface.openudp` example 2), ported
 * line by line: only TypeScript syntax differs (`iface` for the reserved
 * word `interface`, types, `!` where TypeScript cannot know a value is set).
 *
 * Like the original it reads `imp.net.info().ipv4` at its top level, right
 * after `imp.net.open()`: impnet starts the app once the device's primary
 * interface is CONNECTED, as impOS starts device code once online.
 */
import { imp, server, format, type Blob, type UdpSocket } from "impnet";

let udpsocket: UdpSocket | null = null;
let ucastIP: string | undefined;
let bcastIP: string | undefined;

function dataReceived(fromAddress: string, fromPort: number, toAddress: string, toPort: number, data: Blob): void {
  // Check that we are the destination (unicast or broadcast)
  if (toAddress === ucastIP || toAddress === bcastIP) {
    // Log the receipt of data
    server.log("Received " + data.len() + "bytes from " + format("%s:%d", fromAddress, fromPort));

    // Echo it back
    const result = udpsocket!.send(fromAddress, fromPort, data);
    if (result !== 0) server.error("Could not send the data (code: " + result + ")");
  }
}

function interfaceHandler(state: number): void {
  if (state === imp.net.CONNECTED && udpsocket === null) {
    // We're connected, so initiate UDP
    udpsocket = iface.openudp(dataReceived, 1234);
  }

  if (
    state === imp.net.ETHERNET_STOPPED ||
    state === imp.net.ETHERNET_STOPPED_UNHAPPY ||
    state === imp.net.ETHERNET_STOPPED_NO_LINK
  ) {
    server.error("Ethernet error - closing UDP");
    if (udpsocket !== null) {
      udpsocket.close();
      udpsocket = null;
    }
  }
}

// Set up a UDP echo server
// Get an interface object
const iface = imp.net.open({ interface: "eth0" }, interfaceHandler);

// Get the imp's IP and the network broadcast IP
const i = imp.net.info();
ucastIP = i.ipv4!.address;
bcastIP = i.ipv4!.broadcast;
