/**
 * `impnet/udp-socket` on impnet's native UDP (`impnet/native/udp`,
 * docs/native-udp.md): sockets bound to their interface, each datagram's
 * destination, and the interface's IPv4 table from the platform.
 */
export { default, interfaceInfo } from "impnet/native/udp";
