/*
 * impnet's native UDP socket for Moddable (docs/native-udp.md): the
 * ECMA-419 UDP socket shape the core already uses as its Endpoint, plus what
 * stock Moddable cannot give: a socket that belongs to one interface, the
 * destination of every datagram, datagrams up to 65507 bytes (0 allowed),
 * broadcast sends, and the interface's IPv4 table. One JavaScript module for
 * every backend; the C behind the host functions is per platform
 * (lin: ./lin, POSIX sockets on GLib's main loop; esp32: lwIP's raw API).
 *
 * Options are checked here, once for every backend, and the constructor's
 * expected failures are thrown here, so their messages are exact in debug
 * builds too (XS appends " (in frame)" to errors thrown from C there).
 */
import config from "mc/config";

/** Datagrams queued per socket unless mc/config `impnet_udp_queue` says otherwise (0: the backend's default). */
const QUEUE = queueLength(config.impnet_udp_queue);

// this = the socket. Binds `port` on interface `name`; returns undefined, or why it failed:
// "bind failed", "no network", or the platform's message.
function open(port, name, onReadable, queue) @ "xs_impnet_udp_open";
// [address, netmask, broadcast, gateway?] of interface `name` (dotted quads), or undefined.
function ipv4(name) @ "xs_impnet_udp_interface_info";

class UDP @ "xs_impnet_udp_destructor" {
	constructor(options) {
		if ((typeof options !== "object") || (options === null))
			throw new TypeError("UDP: options must be an object");
		const port = options.port, name = options.interface, onReadable = options.onReadable;
		if (!Number.isInteger(port))
			throw new TypeError(`UDP: options.port ${String(port)} is not an integer`);
		if ((port < 1) || (port > 65535))
			throw new RangeError(`UDP: options.port ${port} is outside 1-65535`);
		if ((name !== "eth0") && (name !== "wl0"))
			throw new RangeError(`UDP: options.interface ${String(name)} is not "eth0" or "wl0"`);
		if ((onReadable !== undefined) && (typeof onReadable !== "function"))
			throw new TypeError("UDP: options.onReadable is not a function");
		if ("target" in options)
			this.target = options.target;
		const failure = open.call(this, port, name, onReadable, QUEUE);
		if (failure !== undefined)
			throw new Error(failure);
	}
	// The oldest queued datagram (an ArrayBuffer with own address, port, destination), or undefined.
	read() @ "xs_impnet_udp_read";
	// Hands buffer's bytes (an ArrayBuffer, or a view's bytes) to the platform for address:port.
	write(buffer, address, port) @ "xs_impnet_udp_write";
	close() @ "xs_impnet_udp_close";
	// Datagrams dropped because the queue was full.
	get dropped() @ "xs_impnet_udp_get_dropped";

	get format() {
		return "buffer";
	}
	set format(value) {
		if (value !== "buffer")
			throw new RangeError(`UDP: format ${String(value)} is not "buffer"`);
	}
}

/** The IPv4 configuration of interface `name` ("eth0", "wl0") as the platform knows it, or undefined when it has no address. */
export function interfaceInfo(name) {
	const table = ipv4(name);
	if (table === undefined)
		return undefined;
	const info = { address: table[0], netmask: table[1], broadcast: table[2] };
	if (table[3] !== undefined)
		info.gateway = table[3];
	return info;
}

function queueLength(value) {
	const length = Number(value ?? 0);
	if (!Number.isInteger(length) || (length < 0) || (length > 65535))
		throw new RangeError(`UDP: mc/config impnet_udp_queue ${String(value)} is not an integer in 0-65535`);
	return length;
}

export default UDP;
