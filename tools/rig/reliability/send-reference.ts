/**
 * impOS's destination rule for udpsocket.send() (docs/impos-api.md §6.1:
 * private addresses only, and only the interface's own subnet), written
 * independently of impnet's parser (a regular expression, the RFC 1918
 * ranges, prefix arithmetic), and fast-check generators of destinations and
 * ports that probe its edges. Shared by security.test.ts, ns-runner.ts and
 * the soak runner.
 */
import fc from "fast-check";
import { formatIPv4 } from "../../../modules/impnet/core/address";

// ---------------------------------------------------------------- the reference rule (independent of impnet's parser)

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** The octets of a strict dotted quad, or null. */
export function octets(address: unknown): number[] | null {
  if (typeof address !== "string") return null;
  const match = QUAD.exec(address);
  return match === null ? null : [1, 2, 3, 4].map((i) => Number(match[i]));
}

/** RFC 1918: 10/8, 172.16/12, 192.168/16. */
export function referencePrivate(address: unknown): boolean {
  const o = octets(address);
  return o !== null && (o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168));
}

/** A connected interface's subnet: its address and prefix length ("10.79.3.1", 24). */
export interface Subnet {
  address: string;
  prefix: number;
}

/** Whether `address` lies in `subnet` (same first `prefix` bits), by octet arithmetic. */
export function referenceInSubnet(address: string, subnet: Subnet): boolean {
  const a = octets(address);
  const s = octets(subnet.address);
  if (a === null || s === null) return false;
  for (let bit = 0; bit < subnet.prefix; bit++) {
    const octet = bit >> 3;
    const shift = 7 - (bit & 7);
    if (((a[octet] >> shift) & 1) !== ((s[octet] >> shift) & 1)) return false;
  }
  return true;
}

/**
 * What impOS's send() must do on a private LAN, by the spec: the error
 * class, or "sent". With `subnet` (a connected interface) a private address
 * outside it is refused too.
 */
export function referenceOutcome(address: unknown, port: unknown, subnet?: Subnet): "TypeError" | "RangeError" | "sent" {
  if (typeof address !== "string" || octets(address) === null) return "TypeError";
  if (!referencePrivate(address)) return "RangeError";
  if (subnet !== undefined && !referenceInSubnet(address, subnet)) return "RangeError";
  if (typeof port !== "number" || !Number.isInteger(port)) return "TypeError";
  if (port < 0 || port > 65535 || port === 67 || port === 68) return "RangeError";
  return "sent";
}

// ---------------------------------------------------------------- generators

const u32 = fc.integer({ min: 0, max: 0xffffffff }).map((v) => formatIPv4(v >>> 0));
const edges = fc.constantFrom(
  "9.255.255.255", "10.0.0.0", "10.255.255.255", "11.0.0.0",
  "172.15.255.255", "172.16.0.0", "172.31.255.255", "172.32.0.0",
  "192.167.255.255", "192.168.0.0", "192.168.255.255", "192.169.0.0",
  "100.64.0.0", "100.127.255.255", "169.254.0.1", "127.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.251", "239.255.255.250", "240.0.0.0",
);
const nearPrivate = fc.oneof(
  fc.tuple(fc.integer({ min: 9, max: 11 }), fc.nat(255), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(172), fc.integer({ min: 0, max: 48 }), fc.nat(255), fc.nat(255)),
  fc.tuple(fc.constant(192), fc.integer({ min: 160, max: 176 }), fc.nat(255), fc.nat(255)),
).map((o) => o.join("."));
const mutation = fc.tuple(fc.oneof(edges, nearPrivate), fc.nat(20), fc.constantFrom(" ", "0", ".", "x", "\n", "\u0000", "-", "+", "１", "/", ":", "00", ".1", "\t", "e", "", "256")).map(([address, at, text]) => {
  const i = at % (address.length + 1);
  return address.slice(0, i) + text + address.slice(i + (text === "" ? 1 : 0));
});
const oddStrings = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("", "::1", "fe80::1", "::ffff:192.168.1.1", "localhost", "192.168.1", "0x7f.0.0.1", "10.0.0.1/8", "10.0.0.1:80", "1e1.0.0.1", " 10.0.0.1", "010.0.0.1"),
);
export const addressArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: u32 },
  { weight: 2, arbitrary: edges },
  { weight: 3, arbitrary: nearPrivate },
  { weight: 3, arbitrary: mutation },
  { weight: 2, arbitrary: oddStrings },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 3232235777, NaN, true, ["10.0.0.1"], {}) },
);
export const portArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 65535 }) },
  { weight: 2, arbitrary: fc.constantFrom(67, 68, -1, 65536, 1, 65535, 2 ** 31) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>("80", null, undefined, NaN, Infinity, [80]) },
);


/**
 * Destinations for an interface on `subnet`: the generic ones, plus addresses
 * inside the subnet and just around it (its network and broadcast
 * addresses, the neighbours on either side), where the subnet rule decides.
 */
export function addressArbitraryFor(subnet: Subnet): fc.Arbitrary<unknown> {
  const o = octets(subnet.address) as number[];
  const size = 2 ** (32 - subnet.prefix);
  const value = ((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3];
  const network = value - (value % size);
  const around = fc.integer({ min: -Math.min(size, 256), max: size + Math.min(size, 256) - 1 }).map((offset) => formatIPv4((network + offset + 2 ** 32) % 2 ** 32));
  return fc.oneof({ weight: 3, arbitrary: addressArbitrary }, { weight: 1, arbitrary: around });
}
