// IPv4 address and endpoint parsing, and the rule that decides which
// destinations the peer may send to: loopback (127.0.0.0/8) and the private
// ranges 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16. Nothing else, ever.

export interface Endpoint {
  address: string;
  port: number;
}

/** Thrown for malformed input; the CLI turns it into exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Thrown when a destination is outside loopback and the private ranges. */
export class TargetRefusedError extends Error {
  override name = "TargetRefusedError";
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted-quad IPv4 address to an unsigned 32-bit number, or returns -1. */
export function parseIPv4(text: string): number {
  const m = IPV4_RE.exec(text);
  if (!m) return -1;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part[0] === "0") return -1; // no octal-looking octets
    const v = Number(part);
    if (v > 255) return -1;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Which permitted range an address belongs to, or null when it is not permitted. */
export function allowedRange(address: string): "loopback" | "private" | null {
  const n = parseIPv4(address);
  if (n < 0) return null;
  const a = n >>> 24;
  const b = (n >>> 16) & 255;
  if (a === 127) return "loopback";
  if (a === 10) return "private";
  if (a === 172 && b >= 16 && b <= 31) return "private";
  if (a === 192 && b === 168) return "private";
  return null;
}

export function isAllowedDestination(address: string): boolean {
  return allowedRange(address) !== null;
}

/** Throws TargetRefusedError unless the address is loopback or private. */
export function assertAllowedDestination(address: string): void {
  if (parseIPv4(address) < 0) {
    throw new UsageError(`malformed IPv4 address "${address}"`);
  }
  if (!isAllowedDestination(address)) {
    throw new TargetRefusedError(
      `refusing to send to ${address}: only loopback (127.0.0.0/8) and private ` +
        `addresses (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) are allowed`,
    );
  }
}

function parsePort(text: string, what: string, allowZero: boolean): number {
  if (!/^\d{1,5}$/.test(text)) throw new UsageError(`malformed ${what} port "${text}"`);
  const port = Number(text);
  if (port > 65535 || (!allowZero && port === 0)) {
    throw new UsageError(`${what} port ${text} out of range (${allowZero ? 0 : 1}..65535)`);
  }
  return port;
}

function normalizeHost(host: string): string {
  return host === "localhost" ? "127.0.0.1" : host;
}

/** Parses "ADDRESS:PORT" (IPv4 literal or "localhost"); port 1..65535. */
export function parseTarget(text: string): Endpoint {
  const i = text.lastIndexOf(":");
  if (i <= 0) throw new UsageError(`malformed target "${text}" (expected ADDRESS:PORT)`);
  const address = normalizeHost(text.slice(0, i));
  if (parseIPv4(address) < 0) throw new UsageError(`malformed target address "${text.slice(0, i)}"`);
  const port = parsePort(text.slice(i + 1), "target", false);
  return { address, port };
}

/** Parses "[ADDRESS:]PORT" for a local socket; port 0 means ephemeral when allowZero. */
export function parseListen(text: string, defaultAddress: string, allowZero = false): Endpoint {
  const i = text.lastIndexOf(":");
  let address = defaultAddress;
  let portText = text;
  if (i >= 0) {
    address = normalizeHost(text.slice(0, i));
    portText = text.slice(i + 1);
    if (parseIPv4(address) < 0) throw new UsageError(`malformed local address "${text.slice(0, i)}"`);
  }
  return { address, port: parsePort(portText, "local", allowZero) };
}

/** Accepts "ADDRESS:PORT" or an Endpoint and checks it is a permitted destination. */
export function resolveTarget(target: string | Endpoint): Endpoint {
  const ep = typeof target === "string" ? parseTarget(target) : { ...target };
  ep.address = normalizeHost(ep.address);
  if (!Number.isInteger(ep.port) || ep.port < 1 || ep.port > 65535) {
    throw new UsageError(`target port ${ep.port} out of range (1..65535)`);
  }
  assertAllowedDestination(ep.address);
  return ep;
}

export function formatEndpoint(ep: Endpoint): string {
  return `${ep.address}:${ep.port}`;
}
