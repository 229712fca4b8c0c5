/**
 * Test app for "nothing lost on close" (docs/compatibility.md §6, "send()
 * then close()"): each agent command sends datagrams and closes the sockets
 * in the same turn, through impOS sockets and through the ECMA-419 socket
 * directly, and logs what send() returned.
 */
import UDP from "embedded:io/socket/udp";
import { imp, server, agent, type UdpSocket } from "impnet";

interface Target {
  address: string;
  port: number;
  count?: number;
  localPort?: number;
}

const iface = imp.net.open({ interface: "eth0" }, (state) => {
  if (state === imp.net.CONNECTED) server.log("connected");
});

function sendAll(socket: UdpSocket, target: Target, label: string): number[] {
  const codes: number[] = [];
  for (let i = 0; i < (target.count ?? 1); i++) codes.push(socket.send(target.address, target.port, `${label} ${i}`));
  return codes;
}

// A socket bound at openudp, several sends, close.
agent.on("bound", (message) => {
  const target = message as Target;
  const socket = iface.openudp(null, target.localPort);
  const codes = sendAll(socket, target, "bound");
  socket.close();
  server.log(`bound rc ${codes.join(",")}`);
});

// An unbound socket: its first send binds an ephemeral port; then close.
agent.on("unbound", (message) => {
  const target = message as Target;
  const socket = iface.openudp();
  const codes = sendAll(socket, target, "unbound");
  socket.close();
  server.log(`unbound rc ${codes.join(",")}`);
});

// Many sockets, each opened, sent from once and closed.
agent.on("many", (message) => {
  const target = message as Target;
  const codes: number[] = [];
  for (let i = 0; i < (target.count ?? 1); i++) {
    const socket = iface.openudp();
    codes.push(socket.send(target.address, target.port, `many ${i}`));
    socket.close();
  }
  server.log(`many rc ${codes.filter((code) => code === 0).length} of ${codes.length}`);
});

// Send, close, reopen the same port and send again, close: all in one turn.
agent.on("reopen", (message) => {
  const target = message as Target;
  const first = iface.openudp(null, target.localPort);
  const a = first.send(target.address, target.port, "before reopen");
  first.close();
  const second = iface.openudp(null, target.localPort);
  const b = second.send(target.address, target.port, "after reopen");
  second.close();
  server.log(`reopen rc ${a},${b}`);
});

// The ECMA-419 socket itself (Moddable's tests/modules/io/socket/udp/write.js pattern): write() then close().
agent.on("ecma419", (message) => {
  const target = message as Target;
  const encoder = new TextEncoder();
  const socket = new UDP({ port: target.localPort ?? 0 });
  for (let i = 0; i < (target.count ?? 1); i++) socket.write(encoder.encode(`ecma419 ${i}`).buffer as ArrayBuffer, target.address, target.port);
  socket.close();
  server.log("ecma419 written");
});
