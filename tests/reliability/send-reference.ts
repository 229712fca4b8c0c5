/**
 * impOS's destination rule for udpsocket.send() (impos-net-spec.md §6.1),
 * written independently of impnet's parser (a regular expression and the
 * RFC 1918 ranges), and fast-check generators of destinations and ports that
 * probe its edges. Shared by security.test.ts and the soak runner.
 */
import fc from "fast-check";
import { formatIPv4 } from "../../modules/impnet/core/address";

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

/** What impOS's send() must do on a private LAN, by the spec: the error class, or "sent". */
export function referenceOutcome(address: unknown, port: unknown): "TypeError" | "RangeError" | "sent" {
  if (typeof address !== "string" || octets(address) === null) return "TypeError";
  if (!referencePrivate(address)) return "RangeError";
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

