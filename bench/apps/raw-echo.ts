/**
 * Benchmark baseline: a UDP echo written directly on Moddable's ECMA-419
 * socket (no impnet), the way a hand-tuned Moddable app would. Port from
 * mc/config "port" (default 1234).
 */
import UDP from "embedded:io/socket/udp";
import Ethernet from "embedded:network/interface/ethernet";
import config from "mc/config";

const port = Number((config as Record<string, unknown>).port ?? 1234);
let socket: UDP | undefined;

function onReadable(this: UDP): void {
  let packet = this.read();
  while (packet !== undefined) {
    this.write(packet, packet.address, packet.port);
    packet = this.read();
  }
}

new Ethernet({
  onChanged(this: Ethernet) {
    if (this.connection === 500 && socket === undefined) socket = new UDP({ port, onReadable });
  },
});
