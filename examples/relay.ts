/**
 * The seed's send-only relay (impOS `interface.openudp` example 1), ported
 * line by line: data from the agent goes out to the local network by UDP
 * from port 1234. Only TypeScript syntax differs (`iface` for the reserved
 * word `interface`, types, `!` where TypeScript cannot know a value is set).
 *
 * impnet addition: an agent message "relay.target" {address, port} changes
 * where the data goes (the Squirrel original hard-codes 192.168.0.1:1234),
 * so the same app can be pointed at a PC peer in tests.
 */
import { imp, server, agent, type UdpSocket } from "impnet";

let udpsocket: UdpSocket | null = null;
let targetAddress = "192.168.0.1";
let targetPort = 1234;

function interfaceHandler(state: number): void {
  if (state === imp.net.CONNECTED && udpsocket === null) {
    // We're connected, so initiate UDP
    udpsocket = iface.openudp(null, 1234);
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

const iface = imp.net.open({ interface: "eth0" }, interfaceHandler);

// When relay-able data comes in from the agent,
// send it out to the local network via UDP
agent.on("relay.data", (data) => {
  // Check that the UDP socket is still open
  if (udpsocket!.isopen()) {
    const result = udpsocket!.send(targetAddress, targetPort, data as string);
    if (result !== 0) server.error(`Could not send the data (code: ${result})`);
  } else {
    server.error("UDP socket on port 1234 is not open for sending");
  }
});

agent.on("relay.target", (data) => {
  const target = data as { address?: unknown; port?: unknown };
  if (typeof target?.address === "string" && typeof target.port === "number") {
    targetAddress = target.address;
    targetPort = target.port;
    server.log(`relay: sending to ${targetAddress}:${targetPort}`);
  } else {
    server.error('relay.target needs {"address": "a.b.c.d", "port": n}');
  }
});
