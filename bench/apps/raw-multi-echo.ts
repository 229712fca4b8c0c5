/** Benchmark baseline: the raw ECMA-419 echo on K sockets (see multi-echo.ts). */
import UDP from "embedded:io/socket/udp";
import Ethernet from "embedded:network/interface/ethernet";
import config from "mc/config";

const settings = config as Record<string, unknown>;
const count = Number(settings.sockets ?? 1);
const base = Number(settings.port ?? 1234);
const sockets: UDP[] = [];

function onReadable(this: UDP): void {
  let packet = this.read();
  while (packet !== undefined) {
    this.write(packet, packet.address, packet.port);
    packet = this.read();
  }
}

new Ethernet({
  onChanged(this: Ethernet) {
    if (this.connection === 500 && sockets.length === 0) for (let i = 0; i < count; i++) sockets.push(new UDP({ port: base + i, onReadable }));
  },
});
