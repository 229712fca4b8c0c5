/**
 * impOS numbers: `imp.net.*` interface states and the Send Error Codes.
 * Values from the Electric Imp documentation (docs/impos-api.md §4, §7).
 */

/** `imp.net.*` state constants, by name. */
export const NetState = Object.freeze({
  UNKNOWN: -1,
  STARTING: 0,
  CONNECTED: 1,
  WIFI_SCANNING: 100,
  WIFI_JOINING: 101,
  WIFI_WPSING: 102,
  WIFI_LINK_UP: 103,
  WIFI_DHCPING: 104,
  WIFI_STOPPED: 105,
  WIFI_STOPPED_UNHAPPY: 106,
  ETHERNET_LINK_UP: 200,
  ETHERNET_DHCPING: 201,
  ETHERNET_STOPPED: 202,
  ETHERNET_STOPPED_UNHAPPY: 203,
  ETHERNET_STOPPED_NO_LINK: 204,
  CELLULAR_PINGING: 300,
  CELLULAR_WAITING_FOR_SIM: 301,
  CELLULAR_PPP_CONNECTING: 302,
  CELLULAR_REGISTERING: 303,
  CELLULAR_REGISTRATION_DENIED: 304,
  CELLULAR_STOPPED: 305,
  CELLULAR_STOPPED_UNHAPPY: 306,
} as const);

export type NetStateName = keyof typeof NetState;
export type NetStateValue = (typeof NetState)[NetStateName];

/** Send Error Codes shared by impOS send methods (0 means sent). */
export const SEND_ERROR_NOT_CONNECTED = 1;
export const SEND_ERROR_TIMEOUT = 2;
export const SEND_ERROR_DISCONNECTED = 3;
/**
 * impnet's code for a datagram refused by the outgoing rate limiter. impOS
 * documents only "a Send Error Code"; hosts may change the value
 * (`HostOptions.rateLimitErrorCode`). See docs/compatibility.md.
 */
export const SEND_ERROR_RATE_LIMITED = 4;

/** Largest UDP payload `udpsocket.send()` accepts (impOS `MAX_SIZE`). */
export const MAX_SIZE = 65507;
/** Largest port number (impOS `MAX_IP_PORT`). */
export const MAX_IP_PORT = 65535;
/** Lowest local port `openudp()` accepts. */
export const MIN_LOCAL_PORT = 1024;
/** Ephemeral ports impnet binds an unbound socket to on its first send (IANA range). */
export const EPHEMERAL_FIRST = 49152;
export const EPHEMERAL_LAST = 65535;

/** The outgoing rate limit: a token bucket of 100 that refills at 25 per second. */
export const RATE_LIMIT_BURST = 100;
export const RATE_LIMIT_PER_SECOND = 25;
