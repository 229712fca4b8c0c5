/**
 * XS test app for a known simulator bug (security.test.ts): once connected,
 * sends one datagram to its own address, destination port 0 (allowed by
 * impOS and impnet: only 67 and 68 are refused), then says it is still
 * alive a moment later.
 */
import Timer from "timer";
import { imp, server, type UdpSocket } from "impnet";

let sock: UdpSocket | null = null;
const iface = imp.net.open({ interface: "eth0" }, (state) => {
  if (state !== imp.net.CONNECTED || sock !== null) return;
  const own = iface.getiptable().ipv4.address as string;
  sock = iface.openudp(null); // bound to an ephemeral port by the send
  server.log(`sent rc ${sock.send(own, 0, "to port zero")}`);
  (Timer as unknown as { set(callback: () => void, ms: number): unknown }).set(() => server.log("still alive"), 300);
});
