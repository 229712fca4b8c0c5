/**
 * `embedded:network/interface/wifi` as Moddable SDK 8.2 declares it
 * (typings/embedded_network/interface/wifi.d.ts). The `@moddable/typings`
 * package on npm (5.6.0) predates it, so CI's type-check maps the specifier
 * here; mcconfig builds use the SDK's own declaration instead.
 */
export type WiFiChangedProperty = "connection" | "address";

export interface WiFiConstructorOptions {
  port?: number;
  onChanged?: (property: WiFiChangedProperty) => void;
}

export interface WiFiConnectOptions {
  SSID: string;
  password?: string;
}

export interface WiFiStaticAddress {
  address: string;
  mask: string;
  gateway: string;
}

export default class WiFi {
  constructor(options: WiFiConstructorOptions);
  close(): void;
  connect(options: WiFiConnectOptions): void;
  disconnect(): void;
  configure(options: { hostname?: string; static?: WiFiStaticAddress | false }): void;
  readonly connection: number;
  readonly address: string | undefined;
  readonly MAC: string | undefined;
  readonly SSID: string | undefined;
  readonly RSSI: number | undefined;
}
