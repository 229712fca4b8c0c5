/**
 * impnet: Electric Imp impOS local UDP networking for Moddable's XS engine.
 *
 * ```ts
 * import { imp, server, agent, Blob } from "impnet";
 * ```
 *
 * The host this runs on (ESP32, Moddable's simulator, the XS simulator) is
 * chosen at build time: each host's manifest maps the `impnet/host` module.
 */
import host from "impnet/host";
import { createRuntime } from "impnet/core/runtime";

const device = createRuntime(host);

/** impOS `imp`: `imp.net` and `imp.onunhandledexception()`. */
export const imp = device.imp;
/** impOS `server`: `server.log()` and `server.error()`. */
export const server = device.server;
/** impOS `agent`: `agent.on()` and `agent.send()`. */
export const agent = device.agent;

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
