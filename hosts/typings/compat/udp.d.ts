/**
 * `embedded:io/socket/udp` as Moddable's runtime behaves, where
 * `@moddable/typings` 5.6.0 falls short: `close()`, `read()` returning
 * `undefined` once the queue is empty, `write()` taking any ArrayBuffer or
 * view, and the `interface` option impnet passes (stock Moddable ignores it,
 * docs/compatibility.md §6). CI's type-check maps the specifier here, as for
 * ethernet.d.ts and wifi.d.ts. The XS simulator's emulation
 * (hosts/sim/board/udp.ts) and this file are both checked against the
 * port's `UdpConstructor419` (modules/impnet/moddable/platform.ts).
 */
import type { ReceivedDatagram } from "impnet/port";

export interface UDPOptions {
  port?: number;
  address?: string;
  onReadable?: (this: UDP, packets: number) => void;
  onError?: () => void;
  format?: "buffer";
  target?: unknown;
  /** impnet extension: the interface the socket belongs to (honoured by the XS simulator). */
  interface?: string;
}

export default class UDP {
  constructor(options: UDPOptions);
  read(): ReceivedDatagram | undefined;
  write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void;
  close(): void;
  readonly target?: unknown;
}
