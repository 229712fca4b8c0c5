/**
 * The bad-input matrix (issue "Reliability and security", item 1): every
 * public method of impnet with wrong types, out-of-range and boundary
 * values, on live, unbound and closed sockets, and on interfaces that are
 * connected, without link, or unhappy. Each row names the call and the
 * documented outcome (docs/compatibility.md: exact error class and message,
 * or the Send Error Code / return value).
 *
 * Pure data (JSON), so the same rows run in Node against the fake network
 * and inside XS through the simulator (sent with `sim.agent`). Argument
 * placeholders `{ $: "self" }` and `{ $: "fixture-port" }` stand for the
 * interface's own address and the port of the fixture socket, so accepted
 * sends go to the device itself and never leave it; `{ $: "subnet", edge }`
 * stands for an address at an edge of the interface's own subnet (its
 * network and broadcast addresses, a host, and the addresses just outside).
 * Expected messages may name `{address}` (the call's first argument, as
 * resolved) and `{subnet}` (the interface's subnet, "192.168.1.0/24").
 */
import type { Encoded } from "./codec";

export type Phase = "connected" | "no-link" | "unhappy";
export type Target =
  | "imp.net"
  | "imp"
  | "server"
  | "agent"
  | "iface"
  | "sock" // open, bound to FIXTURE_PORT
  | "sock-unbound" // open, never bound
  | "sock-closed" // closed
  | "blob" // fresh per row: bytes 1..8, pointer 3
  | "blob-full" // fresh per row: 524288 zero bytes, pointer at the end
  | "Blob"; // the class: "new" and "from"

export type ErrorClass = "TypeError" | "RangeError" | "Error";

export interface Expect {
  throws?: ErrorClass;
  message?: string;
  returns?: Encoded;
}

export interface Row {
  id: string;
  phase: Phase;
  target: Target;
  method: string;
  args: Encoded[];
  /** Outcome on a private LAN (impOS's strict private-address rule). */
  expect: Expect;
  /** Outcome when the interface is on 127.0.0.0/8 (the simulator's loopback allowance), when it differs. */
  loopback?: Expect;
  /** An accepted send to an address other than the device's own: not run where packets would really leave (XS). */
  external?: boolean;
  /** After the call, check whether this local port can be bound (then released). */
  probe?: { port: number; free: boolean };
  /** Blob rows that change the blob on purpose: its state afterwards. */
  blobAfter?: { len: number; tell: number; bytes: number[] };
}

/** The fixture socket's port, and other ports rows use (all on the suite's own loopback address in XS). */
export const FIXTURE_PORT = 20101;
export const CLOSED_PORT = 20102;
const FREE_PORT = 20103;


/** Addresses at the edges of the interface's own subnet (docs/compatibility.md §2: only the own subnet is reachable). */
export type SubnetEdge = "network" | "host" | "broadcast" | "below" | "above";

/** Where the matrix runs: the interface's own address and prefix, and whether it is on loopback. */
export interface MatrixWhere {
  self: string;
  prefix: number;
  onLoopback: boolean;
}

/** The address `edge` stands for on the subnet `self`/`prefix` (dotted-quad arithmetic kept here, apart from impnet's). */
export function subnetAddress(edge: SubnetEdge, self: string, prefix: number): string {
  const value = self.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const network = value - (value % size);
  const offsets: Record<SubnetEdge, number> = { network: 0, host: size - 2, broadcast: size - 1, below: -1, above: size };
  const address = (network + offsets[edge] + 2 ** 32) % 2 ** 32;
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The subnet as impnet's messages name it: "192.168.1.0/24". */
export function subnetText(where: MatrixWhere): string {
  return `${subnetAddress("network", where.self, where.prefix)}/${where.prefix}`;
}

/** An expected message with `{address}` and `{subnet}` filled in for `row` at `where`. */
export function expectedMessage(message: string, row: Row, where: MatrixWhere): string {
  const first = row.args[0];
  let address = typeof first === "string" ? first : "";
  if (first !== null && typeof first === "object" && !Array.isArray(first) && first.$ === "subnet") address = subnetAddress(first.edge as SubnetEdge, where.self, where.prefix);
  return message.replace("{address}", address).replace("{subnet}", subnetText(where));
}

/** Send Error Codes (docs/compatibility.md §2). */
export const NOT_CONNECTED = 1;

const SELF: Encoded = { $: "self" };
const FIXTURE: Encoded = { $: "fixture-port" };
const FN: Encoded = { $: "function" };
const UNDEF: Encoded = { $: "undefined" };
const NAN: Encoded = { $: "NaN" };
const INF: Encoded = { $: "Infinity" };
const NEG0: Encoded = { $: "-0" };
const TABLE = (table: Record<string, Encoded> = {}): Encoded => ({ $: "table", table });
const STR = (unit: string, count: number): Encoded => ({ $: "string-of", unit, count });
const BLOB = (size: number, fill = 0): Encoded => ({ $: "blob", size, fill });

const throwsType = (message: string): Expect => ({ throws: "TypeError", message });
const throwsRange = (message: string): Expect => ({ throws: "RangeError", message });
const throwsError = (message: string): Expect => ({ throws: "Error", message });
const returns = (value: Encoded): Expect => ({ returns: value });

/** How impnet's describeValue shows a value in a message (strings JSON-quoted). */
function shown(value: Encoded): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    switch (value.$) {
      case "undefined":
        return "undefined";
      case "NaN":
        return "NaN";
      case "Infinity":
        return "Infinity";
      case "-0":
        return "0";
      case "function":
        return "a function";
      case "symbol":
        return "a symbol";
      case "bigint":
        return String(value.value);
      default:
        return "an object";
    }
  }
  return String(value);
}

/** How the Blob class shows a value in a message (strings in single quotes). */
function shownByBlob(value: Encoded): string {
  if (typeof value === "string") return value.length > 20 ? `'${value.slice(0, 17)}...'` : `'${value}'`;
  if (value === null) return "null";
  if (typeof value === "object" && !Array.isArray(value)) {
    if (value.$ === "undefined") return "undefined";
    if (value.$ === "NaN") return "NaN";
    if (value.$ === "Infinity") return "Infinity";
    if (value.$ === "blob") return "a blob";
    if (value.$ === "function") return "a function";
  }
  if (typeof value === "object") return "an object";
  return String(value);
}

function label(value: Encoded): string {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    if (value.$ === "string-of") return `"${String(value.unit)}"×${String(value.count)}`;
    if (value.$ === "blob" && typeof value.size === "number") return `blob(${value.size})`;
    if (value.$ === "table") return JSON.stringify(value.table);
    if (value.$ === "subnet") return `<subnet ${String(value.edge)}>`;
    return `<${value.$}>`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- value lists

/**
 * RFC 1918 addresses and the edges of its ranges, all outside the subnets the
 * suites' interfaces use (192.168.1.0/24 on the fake LAN, 10.79.x.0/24 in
 * namespaces): refused there as another subnet, accepted on a loopback
 * interface (its documented rule).
 */
const PRIVATE = ["10.0.0.0", "10.0.0.1", "10.255.255.255", "172.16.0.0", "172.31.255.255", "192.168.0.0", "192.168.255.255"];
const IN_SUBNET: SubnetEdge[] = ["network", "host", "broadcast"];
const OFF_SUBNET: SubnetEdge[] = ["below", "above"];
/** Valid dotted quads outside the private ranges (public, edges of the private ranges, special-purpose). */
const NOT_PRIVATE = [
  "8.8.8.8",
  "1.1.1.1",
  "9.255.255.255",
  "11.0.0.0",
  "172.15.255.255",
  "172.32.0.0",
  "192.167.255.255",
  "192.169.0.0",
  "100.64.0.1", // CGNAT
  "169.254.1.1", // link-local
  "169.254.255.255",
  "224.0.0.1", // multicast
  "239.255.255.250",
  "255.255.255.255", // limited broadcast
  "240.0.0.1",
  "0.0.0.0",
];
/** Loopback: refused on a LAN, allowed when the interface itself is on loopback (simulator). */
const LOOPBACK_OTHER = ["127.0.0.1", "127.255.255.255"];
/** Strings that are not strict dotted quads. */
const MALFORMED = [
  "",
  "192.168.1",
  "192.168.1.1.1",
  "192.168.1.256",
  "192.168.01.1",
  "010.0.0.1",
  " 192.168.1.1",
  "192.168.1.1 ",
  "192.168. 1.1",
  "192.168.1.-1",
  "+10.0.0.1",
  "0x0A.0.0.1",
  "10.0.0.1/24",
  "192.168.1.1:80",
  "192.168.1.",
  ".192.168.1",
  "10..0.1",
  "::1",
  "fe80::1",
  "::ffff:192.168.1.1",
  "localhost",
  "１９２.168.1.1",
  "192.168.1.1\u0000",
  "1e1.0.0.1",
  "4294967295",
];
const NOT_STRING: Encoded[] = [null, UNDEF, 3232235777, NAN, true, ["192.168.1.1"], TABLE(), FN, BLOB(4)];

const GOOD_SEND_PORTS: Encoded[] = [0, 1, 66, 69, 1023, 1024, 65535, NEG0];
const BAD_SEND_PORTS: [Encoded, Expect][] = [
  [67, throwsRange("send: port 67 is reserved for DHCP/BOOTP")],
  [68, throwsRange("send: port 68 is reserved for DHCP/BOOTP")],
  [-1, throwsRange("send: port -1 is outside 0-65535")],
  [65536, throwsRange("send: port 65536 is outside 0-65535")],
  [2 ** 31, throwsRange(`send: port ${2 ** 31} is outside 0-65535`)],
  [-(2 ** 32), throwsRange(`send: port ${-(2 ** 32)} is outside 0-65535`)],
  ...([1.5, 67.5, "1234", NAN, INF, null, UNDEF, true, [1234], TABLE()] as Encoded[]).map(
    (port): [Encoded, Expect] => [port, throwsType(`send: port ${shown(port)} is not an integer`)],
  ),
];

const MAX = 65507;
const GOOD_DATA: Encoded[] = ["", "x", BLOB(0), BLOB(1), STR("a", MAX), BLOB(MAX, 0x5a), STR("é", (MAX - 1) / 2), STR("€", Math.floor(MAX / 3))];
const tooLong = (bytes: number): Expect => throwsRange(`send: data is ${bytes} bytes, above the ${MAX}-byte maximum`);
const BAD_DATA: [Encoded, Expect][] = [
  [STR("a", MAX + 1), tooLong(MAX + 1)],
  [STR("é", (MAX + 1) / 2), tooLong(MAX + 1)], // 32754 characters, 65508 bytes: the cap counts bytes
  [STR("€", Math.ceil((MAX + 1) / 3)), tooLong(Math.ceil((MAX + 1) / 3) * 3)],
  [STR("a", 100000), tooLong(100000)],
  [BLOB(MAX + 1), tooLong(MAX + 1)],
  [BLOB(524288), tooLong(524288)],
  ...([42, 0, NAN, null, UNDEF, true, [1, 2], TABLE(), FN, { $: "arraybuffer", size: 4 }, { $: "uint8array", size: 4 }, { $: "bigint", value: "1" }, { $: "symbol" }] as Encoded[]).map(
    (data): [Encoded, Expect] => [data, throwsType(`send: data must be a string or blob, not ${shown(data)}`)],
  ),
];

const BAD_CALLBACKS: Encoded[] = ["notfn", 42, TABLE(), [], true, NAN];
const BAD_LOCAL_PORTS: [Encoded, Expect][] = [
  ...([-1, 0, 1, 67, 68, 1023, NEG0] as Encoded[]).map((p): [Encoded, Expect] => [p, throwsRange(`openudp: localPort ${shown(p)} is below 1024`)]),
  [-(2 ** 31), throwsRange(`openudp: localPort ${-(2 ** 31)} is below 1024`)],
  [65536, throwsRange("openudp: localPort 65536 is above 65535")],
  [2 ** 32, throwsRange(`openudp: localPort ${2 ** 32} is above 65535`)],
  ...([1.5, 1024.5, "1234", "20103", NAN, INF, null, true, [1234], TABLE()] as Encoded[]).map(
    (p): [Encoded, Expect] => [p, throwsType(`openudp: localPort ${shown(p)} is not an integer`)],
  ),
];

// ---------------------------------------------------------------- rows

function row(phase: Phase, target: Target, method: string, args: Encoded[], expect: Expect, extra: Partial<Row> = {}): Row {
  return { id: `${phase} ${target}.${method}(${args.map(label).join(", ")})`, phase, target, method, args, expect, ...extra };
}

function sendRows(phase: Phase): Row[] {
  const rows: Row[] = [];
  const live = phase === "connected";
  // What an accepted send returns: 0 (sent) while connected, else SEND_ERROR_NOT_CONNECTED.
  const accepted = returns(live ? 0 : NOT_CONNECTED);
  const notPrivate = (address: string): Expect => throwsRange(`send: address ${address} is not a private (10/8, 172.16/12, 192.168/16) address`);
  // Another subnet is refused while connected; while not, the subnet is unknown and the send returns 1.
  const otherSubnet: Expect = live ? throwsRange("send: address {address} is outside eth0's subnet {subnet}") : returns(NOT_CONNECTED);
  const SUBNET = (edge: SubnetEdge): Encoded => ({ $: "subnet", edge });

  // Destinations.
  for (const address of PRIVATE) rows.push(row(phase, "sock", "send", [address, FIXTURE, "x"], otherSubnet, { loopback: accepted, external: live }));
  for (const edge of IN_SUBNET) rows.push(row(phase, "sock", "send", [SUBNET(edge), FIXTURE, "x"], accepted, { external: live }));
  // Just outside the subnet: private on a LAN; on 127.0.0.0/8 they are 126.255.255.255 and 128.0.0.0, not private.
  for (const edge of OFF_SUBNET) {
    rows.push(row(phase, "sock", "send", [SUBNET(edge), FIXTURE, "x"], otherSubnet, { loopback: notPrivate("{address}") }));
    rows.push(row(phase, "sock-unbound", "send", [SUBNET(edge), FIXTURE, "x"], otherSubnet, { loopback: notPrivate("{address}") }));
  }
  rows.push(row(phase, "sock", "send", [SUBNET("above"), 67, 42], live ? otherSubnet : throwsRange("send: port 67 is reserved for DHCP/BOOTP"), { loopback: notPrivate("{address}") }));
  for (const address of NOT_PRIVATE) rows.push(row(phase, "sock", "send", [address, FIXTURE, "x"], notPrivate(address)));
  for (const address of LOOPBACK_OTHER) {
    rows.push(row(phase, "sock", "send", [address, FIXTURE, "x"], notPrivate(address), { loopback: accepted, external: live }));
  }
  rows.push(row(phase, "sock", "send", [SELF, FIXTURE, "x"], accepted, { loopback: accepted }));
  for (const address of MALFORMED) {
    rows.push(row(phase, "sock", "send", [address, FIXTURE, "x"], throwsType(`send: address ${shown(address)} is not a dotted-quad IPv4 address`)));
  }
  for (const address of NOT_STRING) rows.push(row(phase, "sock", "send", [address, FIXTURE, "x"], throwsType(`send: address ${shown(address)} is not a string`)));

  // Ports.
  for (const port of GOOD_SEND_PORTS) {
    rows.push(row(phase, "sock", "send", [SELF, port, "x"], accepted));
  }
  for (const [port, expect] of BAD_SEND_PORTS) rows.push(row(phase, "sock", "send", [SELF, port, "x"], expect));

  // Data.
  for (const data of GOOD_DATA) rows.push(row(phase, "sock", "send", [SELF, FIXTURE, data], accepted));
  for (const [data, expect] of BAD_DATA) rows.push(row(phase, "sock", "send", [SELF, FIXTURE, data], expect));

  // Check order: address, then port, then data.
  rows.push(row(phase, "sock", "send", ["8.8.8.8", 67, 42], notPrivate("8.8.8.8")));
  rows.push(row(phase, "sock", "send", ["nope", -1, null], throwsType('send: address "nope" is not a dotted-quad IPv4 address')));
  rows.push(row(phase, "sock", "send", [SELF, 68, STR("a", MAX + 1)], throwsRange("send: port 68 is reserved for DHCP/BOOTP")));
  rows.push(row(phase, "sock", "send", [SELF, 1.5, 42], throwsType("send: port 1.5 is not an integer")));
  rows.push(row(phase, "sock", "send", [], throwsType("send: address undefined is not a string")));

  // An unbound socket: a refused call must leave it unbound (no ephemeral port taken).
  rows.push(row(phase, "sock-unbound", "send", ["8.8.8.8", FIXTURE, "x"], notPrivate("8.8.8.8")));
  rows.push(row(phase, "sock-unbound", "send", [SELF, 67, "x"], throwsRange("send: port 67 is reserved for DHCP/BOOTP")));
  rows.push(row(phase, "sock-unbound", "send", [SELF, FIXTURE, STR("a", MAX + 1)], tooLong(MAX + 1)));
  rows.push(row(phase, "sock-unbound", "send", [SELF, FIXTURE, 42], throwsType("send: data must be a string or blob, not 42")));
  if (!live) rows.push(row(phase, "sock-unbound", "send", [SELF, FIXTURE, "x"], returns(NOT_CONNECTED)));

  // A closed socket: send and onreceive throw, whatever the arguments; close and isopen do not.
  const closed = throwsError("send: socket is closed");
  rows.push(row(phase, "sock-closed", "send", [SELF, FIXTURE, "x"], closed));
  rows.push(row(phase, "sock-closed", "send", ["8.8.8.8", 67, 42], closed));
  rows.push(row(phase, "sock-closed", "send", [], closed));
  rows.push(row(phase, "sock-closed", "onreceive", [FN], throwsError("onreceive: socket is closed")));
  rows.push(row(phase, "sock-closed", "onreceive", [null], throwsError("onreceive: socket is closed")));
  rows.push(row(phase, "sock-closed", "onreceive", [42], throwsError("onreceive: socket is closed")));
  rows.push(row(phase, "sock-closed", "close", [], returns({ $: "undefined" })));
  rows.push(row(phase, "sock-closed", "isopen", [], returns(false)));
  rows.push(row(phase, "sock-closed", "close", ["extra", 1], returns({ $: "undefined" })));

  // onreceive with something that is not a function or null.
  for (const callback of BAD_CALLBACKS) {
    rows.push(row(phase, "sock", "onreceive", [callback], throwsType(`onreceive: callback must be a function or null, not ${shown(callback)}`)));
  }
  rows.push(row(phase, "sock", "isopen", [], returns(true)));
  return rows;
}

function openudpRows(phase: Phase): Row[] {
  const rows: Row[] = [];
  const powered = phase !== "unhappy";
  const unavailable = throwsError(`openudp: interface eth0 is not powered or is unavailable (state 203)`);
  const free = (port: number): Partial<Row> => (powered ? { probe: { port, free: true } } : {});
  // Each probe gets its own port, so rows stay independent (closing and rebinding one port
  // inside a single callback is its own scenario: SCENARIOS "close-and-rebind").
  BAD_CALLBACKS.forEach((callback, i) => {
    const port = FREE_PORT + i;
    rows.push(row(phase, "iface", "openudp", [callback, port], throwsType(`openudp: callback must be a function or null, not ${shown(callback)}`), free(port)));
  });
  rows.push(row(phase, "iface", "openudp", ["notfn", -1], throwsType('openudp: callback must be a function or null, not "notfn"')));
  for (const [port, expect] of BAD_LOCAL_PORTS) {
    rows.push(row(phase, "iface", "openudp", [null, port], powered ? expect : unavailable));
    rows.push(row(phase, "iface", "openudp", [FN, port], powered ? expect : unavailable));
  }
  // The fixture's port is taken: the call throws and the owner keeps the port.
  rows.push(
    row(phase, "iface", "openudp", [FN, FIXTURE_PORT], powered ? throwsError(`openudp: localPort ${FIXTURE_PORT} is already in use`) : unavailable, {
      probe: powered ? { port: FIXTURE_PORT, free: false } : undefined,
    }),
  );
  rows.push(
    row(phase, "iface", "openudp", [null, FIXTURE_PORT], powered ? throwsError(`openudp: localPort ${FIXTURE_PORT} is already in use`) : unavailable),
  );
  // The closed fixture's port was freed by close().
  if (powered) rows.push(row(phase, "iface", "getstate", [], returns(phase === "connected" ? 1 : 204), { probe: { port: CLOSED_PORT, free: true } }));
  else rows.push(row(phase, "iface", "getstate", [], returns(203)));
  return rows;
}

/** Rows that do not depend on the interface: run once, while connected. */
function onceRows(): Row[] {
  const p: Phase = "connected";
  const rows: Row[] = [];
  const nic = (text: string): string => `imp.net.open: ${text}`;
  // imp.net.open
  for (const value of [null, UNDEF, "eth0", 42, [], true] as Encoded[]) {
    rows.push(row(p, "imp.net", "open", [value], throwsType(nic(`nic must be a table, not ${shown(value)}`))));
  }
  rows.push(row(p, "imp.net", "open", [TABLE()], throwsType(nic('nic needs an "interface" key (e.g. "eth0")'))));
  rows.push(row(p, "imp.net", "open", [TABLE({ interface: 0 })], throwsType(nic("nic.interface must be a string, not 0"))));
  rows.push(row(p, "imp.net", "open", [TABLE({ interface: null })], throwsType(nic("nic.interface must be a string, not null"))));
  for (const name of ["eth9", "wl0", "cell0", " eth0", "ETH0", ""]) {
    rows.push(row(p, "imp.net", "open", [TABLE({ interface: name })], throwsError(nic(`interface ${JSON.stringify(name)} is not available on this device (it has: eth0)`))));
  }
  rows.push(
    row(p, "imp.net", "open", [TABLE({ interface: "eth0", foo: 1 })], throwsType(nic('nic key "foo" is not one of interface, wificonfig, staticconfig, proxyconfig'))),
  );
  rows.push(
    row(
      p,
      "imp.net",
      "open",
      [TABLE({ interface: "eth0", wificonfig: TABLE({ ssid: "x", key: null }) })],
      throwsError(nic("wificonfig is only valid on a WiFi interface, not eth0 (ethernet)")),
    ),
  );
  rows.push(row(p, "imp.net", "open", [TABLE({ interface: "eth0", staticconfig: "x" })], throwsType(nic('staticconfig must be a table, not "x"'))));
  rows.push(
    row(
      p,
      "imp.net",
      "open",
      [TABLE({ interface: "eth0", staticconfig: TABLE({ ip: "192.168.1.300", netmask: "255.255.255.0" }) })],
      throwsType(nic('staticconfig.ip "192.168.1.300" is not a dotted-quad IPv4 address')),
    ),
  );
  rows.push(
    row(
      p,
      "imp.net",
      "open",
      [TABLE({ interface: "eth0", staticconfig: TABLE({ ip: "192.168.1.20", netmask: "255.0.255.0" }) })],
      throwsRange(nic("staticconfig.netmask 255.0.255.0 is not a contiguous mask")),
    ),
  );
  rows.push(
    row(
      p,
      "imp.net",
      "open",
      [TABLE({ interface: "eth0", proxyconfig: TABLE({ type: 1, address: "proxy", port: 70000 }) })],
      throwsRange(nic("proxyconfig.port 70000 is not an integer in 0-65535")),
    ),
  );
  for (const callback of ["cb", 1, TABLE()] as Encoded[]) {
    rows.push(row(p, "imp.net", "open", [TABLE({ interface: "eth0" }), callback], throwsType(nic(`callback must be a function or null, not ${shown(callback)}`))));
  }
  rows.push(row(p, "imp.net", "open", [null, "cb"], throwsType(nic('callback must be a function or null, not "cb"'))));
  // imp.net.setratelimit, imp.onunhandledexception
  for (const value of ["yes", 1, 0, null, UNDEF, TABLE()] as Encoded[]) {
    rows.push(row(p, "imp.net", "setratelimit", [value], throwsType("imp.net.setratelimit: enabled must be true or false")));
  }
  for (const value of ["x", 1, TABLE(), true] as Encoded[]) {
    rows.push(row(p, "imp", "onunhandledexception", [value], throwsType(`imp.onunhandledexception: handler must be a function or null, not ${shown(value)}`)));
  }
  // server.log / server.error never throw, whatever they are given.
  const loggable: Encoded[] = [UNDEF, null, NAN, INF, TABLE(), [], [1, [2]], { $: "cyclic" }, { $: "throwing-tostring" }, BLOB(3), { $: "symbol" }, { $: "bigint", value: "12" }, FN, STR("λ", 70000), "", "\u0000\n\r"];
  for (const value of loggable) {
    rows.push(row(p, "server", "log", [value], returns(0)));
    rows.push(row(p, "server", "error", [value], returns(0)));
  }
  rows.push(row(p, "server", "log", [], returns(0)));
  // agent
  for (const name of [42, null, UNDEF, TABLE()] as Encoded[]) {
    rows.push(row(p, "agent", "on", [name, FN], throwsType(`agent.on: name must be a string, not ${shown(name)}`)));
    rows.push(row(p, "agent", "send", [name, 1], throwsType(`agent.send: name must be a string, not ${shown(name)}`)));
  }
  for (const handler of ["y", 1, TABLE()] as Encoded[]) {
    rows.push(row(p, "agent", "on", ["matrix.unused", handler], throwsType(`agent.on: handler must be a function or null, not ${shown(handler)}`)));
  }
  rows.push(row(p, "agent", "send", ["matrix.probe", TABLE({ n: 1 })], returns(0)));

  // Blob, on a fresh blob [1..8] with its pointer at 3.
  const B = "blob";
  const same = (...args: [string, Encoded[], Expect]): Row => row(p, B, args[0], args[1], args[2]);
  const typeList = "c b s w i l f d";
  for (const code of ["x", "", "ii", "e", 0, -1, 105.5, 256 + 105] as Encoded[]) {
    rows.push(same("readn", [code], throwsRange(`readn: type code ${shownByBlob(code)} is not one of ${typeList}`)));
    rows.push(same("writen", [1, code], throwsRange(`writen: type code ${shownByBlob(code)} is not one of ${typeList}`)));
  }
  for (const code of [null, UNDEF, TABLE(), true, [105]] as Encoded[]) {
    rows.push(same("readn", [code], throwsType(`readn: type code ${shownByBlob(code)} is not one of ${typeList}`)));
    rows.push(same("writen", [1, code], throwsType(`writen: type code ${shownByBlob(code)} is not one of ${typeList}`)));
  }
  rows.push(same("readn", ["d"], throwsError("readn: io error, type 'd' needs 8 bytes but 5 remain")));
  rows.push(same("readn", [100], throwsError("readn: io error, type 100 needs 8 bytes but 5 remain")));
  rows.push(row(p, B, "readn", ["w"], returns(4 | (5 << 8)), { blobAfter: { len: 8, tell: 5, bytes: [1, 2, 3, 4, 5, 6, 7, 8] } }));
  for (const n of [-1, -(2 ** 31)]) {
    rows.push(same("readstring", [n], throwsRange(`readstring: length ${n} is negative`)));
    rows.push(same("readblob", [n], throwsRange(`readblob: length ${n} is negative`)));
    rows.push(same("resize", [n], throwsRange(`resize: size ${n} is negative`)));
  }
  for (const n of [1.5, "3", NAN, INF, null, UNDEF, TABLE()] as Encoded[]) {
    rows.push(same("readstring", [n], throwsType(`readstring: length ${shownByBlob(n)} is not an integer`)));
    rows.push(same("readblob", [n], throwsType(`readblob: length ${shownByBlob(n)} is not an integer`)));
    rows.push(same("resize", [n], throwsType(`resize: size ${shownByBlob(n)} is not an integer`)));
  }
  rows.push(same("readblob", [0], throwsError("readblob: no data left to read (pointer 3, len 8, asked for 0)")));
  rows.push(same("resize", [524289], throwsRange("resize: size 524289 is above the maximum of 524288 bytes")));
  for (const s of [5, null, UNDEF, BLOB(1), [], FN] as Encoded[]) rows.push(same("writestring", [s], throwsType(`writestring: ${shownByBlob(s)} is not a string`)));
  for (const b of ["x", null, UNDEF, 5, { $: "arraybuffer", size: 2 }, { $: "uint8array", size: 2 }] as Encoded[]) {
    rows.push(same("writeblob", [b], throwsType(`writeblob: ${shownByBlob(b)} is not a blob`)));
  }
  for (const offset of [1.5, "1", NAN, null, UNDEF] as Encoded[]) rows.push(same("seek", [offset], throwsType(`seek: offset ${shownByBlob(offset)} is not an integer`)));
  for (const origin of ["x", "", "bc", 100, 0] as Encoded[]) {
    rows.push(same("seek", [0, origin], throwsRange(`seek: invalid origin ${shownByBlob(origin)}: not 'b', 'c' or 'e'`)));
  }
  for (const origin of [null, TABLE(), true] as Encoded[]) rows.push(same("seek", [0, origin], throwsType(`seek: invalid origin ${shownByBlob(origin)}: not 'b', 'c' or 'e'`)));
  for (const args of [[9], [-1], [1, "e"], [-9, "e"], [6, "c"], [-4, "c"], [2 ** 31]] as Encoded[][]) rows.push(same("seek", args, returns(-1)));
  for (const i of [8, -1, 1.5, NAN, INF, 2 ** 32] as Encoded[]) {
    rows.push(same("get", [i], throwsRange(`get: index ${shownByBlob(i)} out of range (len 8)`)));
    rows.push(same("set", [i, 1], throwsRange(`set: index ${shownByBlob(i)} out of range (len 8)`)));
  }
  for (const i of ["1", null, UNDEF] as Encoded[]) {
    rows.push(same("get", [i], throwsType(`get: index ${shownByBlob(i)} is not a number`)));
    rows.push(same("set", [i, 1], throwsType(`set: index ${shownByBlob(i)} is not a number`)));
  }
  for (const v of ["x", null, UNDEF, BLOB(1)] as Encoded[]) rows.push(same("set", [0, v], throwsType(`set: value ${shownByBlob(v)} is not a number`)));
  // Documented non-throwing edges that change the blob.
  rows.push(row(p, B, "writen", ["x", "i"], returns(UNDEF), { blobAfter: { len: 8, tell: 7, bytes: [1, 2, 3, 0, 0, 0, 0, 8] } }));
  rows.push(row(p, B, "writen", [null, "d"], returns(UNDEF), { blobAfter: { len: 11, tell: 11, bytes: [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0] } }));
  rows.push(row(p, B, "set", [0, 258.9], returns(UNDEF), { blobAfter: { len: 8, tell: 3, bytes: [2, 2, 3, 4, 5, 6, 7, 8] } }));
  rows.push(row(p, B, "set", [1, -1], returns(UNDEF), { blobAfter: { len: 8, tell: 3, bytes: [1, 255, 3, 4, 5, 6, 7, 8] } }));
  rows.push(row(p, B, "seek", [0, "e"], returns(0), { blobAfter: { len: 8, tell: 8, bytes: [1, 2, 3, 4, 5, 6, 7, 8] } }));
  rows.push(row(p, B, "readstring", [2 ** 31], returns("\u0004\u0005\u0006\u0007\b"), { blobAfter: { len: 8, tell: 8, bytes: [1, 2, 3, 4, 5, 6, 7, 8] } }));
  rows.push(row(p, B, "resize", [2], returns(UNDEF), { blobAfter: { len: 2, tell: 2, bytes: [1, 2] } }));
  // A full blob (512 KB, pointer at the end) cannot grow; nothing is written.
  const full = (method: string, args: Encoded[], grow: number): Row =>
    row(p, "blob-full", method, args, throwsRange(`${method}: blob would grow to ${524288 + grow} bytes, above the maximum of 524288`));
  rows.push(full("writen", [1, "b"], 1));
  rows.push(full("writen", [1, "d"], 8));
  rows.push(full("writen", ["not a number", "i"], 4));
  rows.push(full("writestring", ["ab"], 2));
  rows.push(full("writestring", ["€"], 3));
  rows.push(full("writeblob", [BLOB(1)], 1));
  rows.push(row(p, "blob-full", "readstring", [10], returns("")));
  rows.push(row(p, "blob-full", "readblob", [1], throwsError("readblob: no data left to read (pointer 524288, len 524288, asked for 1)")));
  // The Blob class.
  for (const size of [-1, -(2 ** 31)]) rows.push(row(p, "Blob", "new", [size], throwsRange(`blob: size ${size} is negative (cannot create blob with negative size)`)));
  for (const size of [524289, 2 ** 31]) rows.push(row(p, "Blob", "new", [size], throwsRange(`blob: size ${size} is above the maximum of 524288 bytes`)));
  for (const size of [1.5, NAN, INF]) rows.push(row(p, "Blob", "new", [size], throwsType(`blob: size ${shownByBlob(size)} is not an integer`)));
  for (const size of ["4", null, TABLE(), [], true, BLOB(1)] as Encoded[]) {
    rows.push(row(p, "Blob", "new", [size], throwsType(`blob: size must be an integer or an ArrayBuffer, not ${shownByBlob(size)}`)));
  }
  rows.push(row(p, "Blob", "new", [{ $: "arraybuffer", size: 524289 }], throwsRange("blob: buffer of 524289 bytes is above the maximum of 524288 bytes")));
  for (const value of ["x", null, [1], { $: "arraybuffer", size: 1 }] as Encoded[]) {
    rows.push(row(p, "Blob", "from", [value], throwsType(`Blob.from: ${shownByBlob(value)} is not a Uint8Array`)));
  }
  rows.push(row(p, "Blob", "from", [{ $: "uint8array", size: 524289 }], throwsRange("blob: size 524289 is above the maximum of 524288 bytes")));
  return rows;
}

/** Every row of the matrix, grouped by phase in the order they run. */
export function matrixRows(): Row[] {
  return [
    ...onceRows(),
    ...sendRows("connected"),
    ...openudpRows("connected"),
    ...sendRows("no-link"),
    ...openudpRows("no-link"),
    ...sendRows("unhappy"),
    ...openudpRows("unhappy"),
  ];
}

/** The expectation that applies where the interface is (loopback or a private LAN). */
export function expectationFor(rowItem: Row, onLoopback: boolean): Expect {
  return onLoopback && rowItem.loopback !== undefined ? rowItem.loopback : rowItem.expect;
}
