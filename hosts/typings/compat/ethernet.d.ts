/**
 * `embedded:network/interface/ethernet` as Moddable SDK 8.2 declares it
 * (typings/embedded_network/interface/ethernet.d.ts). The `@moddable/typings`
 * package on npm (5.6.0) predates it, so CI's type-check maps the specifier
 * here; mcconfig builds use the SDK's own declaration instead.
 */
export type EthernetChangedProperty = "connection" | "address";

export interface EthernetConstructorOptions {
  port?: number;
  onChanged?: (property: EthernetChangedProperty) => void;
}

export interface EthernetStaticAddress {
  address: string;
  mask: string;
  gateway: string;
}

export interface EthernetConfigureOptions {
  hostname?: string;
  static?: EthernetStaticAddress | false;
}

export default class Ethernet {
  constructor(options: EthernetConstructorOptions);
  close(): void;
  connect(): void;
  disconnect(): void;
  configure(options: EthernetConfigureOptions): void;
  readonly connection: number;
  readonly address: string | undefined;
  readonly MAC: string | undefined;
}
