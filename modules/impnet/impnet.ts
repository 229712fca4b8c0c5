/**
 * impnet: Electric Imp impOS local UDP networking for Moddable's XS engine.
 *
 * ```ts
 * import { imp, server, agent, hardware, Blob, format, time } from "impnet";
 * ```
 *
 * The host this runs on (ESP32, Moddable's simulator, the XS simulator) is
 * chosen at build time: each host's manifest maps the `impnet/host` module.
 * Hosts start the app once its primary interface is CONNECTED, as impOS
 * does (`impnet/boot`), unless told to start it at once.
 */
import { device } from "impnet/device";

/** impOS `imp`: `imp.net`, `imp.wakeup()`, `imp.cancelwakeup()` and `imp.onunhandledexception()`. */
export const imp = device.imp;
/** impOS `server`: `server.log()` and `server.error()`. */
export const server = device.server;
/** impOS `agent`: `agent.on()` and `agent.send()`. */
export const agent = device.agent;
/** impOS `hardware`: `hardware.millis()` and `hardware.micros()`. */
export const hardware = device.hardware;

export { format } from "impnet/core/format";
export { swap2, swap4, swapfloat } from "impnet/core/swap";
export { time } from "impnet/core/clock";

export { Blob } from "impnet/core/blob";
export {
  NetState,
  SEND_ERROR_NOT_CONNECTED,
  SEND_ERROR_TIMEOUT,
  SEND_ERROR_DISCONNECTED,
  SEND_ERROR_RATE_LIMITED,
  MAX_SIZE,
  MAX_IP_PORT,
} from "impnet/core/constants";
export type { UdpSocket, ReceiveCallback } from "impnet/core/udpsocket";
export type { NetInterface, StateCallback, IPTable, IPv4Table, ProxyTable } from "impnet/core/interface";
export type { Nic } from "impnet/core/nic";
export type { NetInfo, InterfaceRecord, AgentHandler, UnhandledExceptionHandler } from "impnet/core/runtime";
export type { WakeupTimer, WakeupCallback } from "impnet/core/wakeup";
export type { Hardware } from "impnet/core/clock";
