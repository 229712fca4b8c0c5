/**
 * Test app for the simulator suites: logs every interface state, keeps an
 * echo socket open while connected (port from mc/config "port", default
 * 1234), and answers agent commands that exercise other parts of the API.
 */
import config from "mc/config";
import { imp, server, agent, type Blob, type UdpSocket } from "impnet";

const settings = config as Record<string, unknown>;
const port = Number(settings.port ?? 1234);
const ifaceName = String(settings.iface ?? "eth0");
let sock: UdpSocket | null = null;
const extra: UdpSocket[] = [];

function received(from: string, fromPort: number, to: string, toPort: number, data: Blob): void {
  const text = data.tostring();
  server.log(`rx ${from}:${fromPort} -> ${to}:${toPort} ${data.len()} ${text.length > 40 ? "(long)" : text}`);
  if (text === "throw") throw new Error("callback failure on purpose");
  if (sock === null) return;
  const rc = sock.send(from, fromPort, data);
  if (rc !== 0) server.error(`send rc ${rc}`);
}

const iface = imp.net.open({ interface: ifaceName }, (state) => {
  server.log(`state ${state}`);
  if (state === imp.net.CONNECTED && sock === null) {
    try {
      sock = iface.openudp(received, port);
      server.log(`open ${port}`);
    } catch (error) {
      server.error(`openudp failed: ${(error as Error).message}`);
    }
  }
  if (
    state === imp.net.ETHERNET_STOPPED ||
    state === imp.net.ETHERNET_STOPPED_UNHAPPY ||
    state === imp.net.ETHERNET_STOPPED_NO_LINK ||
    state === imp.net.WIFI_STOPPED ||
    state === imp.net.WIFI_STOPPED_UNHAPPY
  ) {
    if (sock !== null) {
      sock.close();
      sock = null;
      server.log("closed");
    }
  }
});

// An unbound socket: bound to an ephemeral port by its first send.
agent.on("send", (message) => {
  const m = message as { address: string; port: number; text: string };
  const socket = iface.openudp((_from, _fromPort, _to, toPort, data) => server.log(`eph rx ${data.tostring()} on ${toPort}`));
  extra.push(socket);
  server.log(`eph send rc ${socket.send(m.address, m.port, m.text)}`);
});

agent.on("info", () => server.log(`info ${JSON.stringify(imp.net.info())}`));
agent.on("iptable", () => server.log(`iptable ${JSON.stringify(iface.getiptable())}`));
agent.on("ping", (data) => server.log(`agent.send rc ${agent.send("pong", data)}`));
agent.on("close", () => {
  for (const socket of extra.splice(0)) socket.close();
  server.log("extra closed");
});
server.log(`app started on ${ifaceName}`);
