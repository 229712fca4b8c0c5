/**
 * Moddable's legacy `ethernet` module (modules/network/ethernet), which
 * `@moddable/typings` does not declare. Behaviour: moddable-platform.md §3.4.
 */
export type EthernetMessage = "start" | "connect" | "disconnect" | "gotIP";

export default class Ethernet {
  /** Exactly one argument registers the callback; it is called with `this` = the instance. */
  constructor(callback: (this: Ethernet, message: EthernetMessage) => void);
  close(): void;
  set onNotify(callback: (this: Ethernet, message: EthernetMessage) => void);
  /** Installs the driver and starts DHCP + link; throws "Ethernet.c Ethernet device not found". */
  static start(): void;
  static useStaticIP(address: string, netmask: string, gateway: string): void;
  static useDHCP(): void;
  static readonly gotIP: "gotIP";
  static readonly lostIP: "lostIP";
  static readonly connected: "connect";
  static readonly disconnected: "disconnect";
}
