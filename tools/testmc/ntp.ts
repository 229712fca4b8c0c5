/**
 * A local stand-in for the NTP server that four of the SDK's UDP tests
 * contact (pool.ntp.org, which this machine cannot reach): it answers every
 * SNTP client request (RFC 4330: 48 bytes, mode 3) on port 123 of a loopback
 * address of its own, with a server reply carrying the current time.
 */
import { createSocket, type Socket } from "node:dgram";

/** Seconds from 1900 (NTP's epoch) to 1970. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

export interface NtpStandIn {
  /** The loopback address it answers on (port 123). */
  address: string;
  /** Requests answered so far. */
  readonly answered: number;
  close(): Promise<void>;
}

function ntpTime(reply: Buffer, at: number, ms: number): void {
  const seconds = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET;
  reply.writeUInt32BE(seconds >>> 0, at);
  reply.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * 2 ** 32) >>> 0, at + 4);
}

/** The SNTP reply to `request`, or undefined when it is not a client request. */
export function sntpReply(request: Buffer, now = Date.now()): Buffer | undefined {
  if (request.byteLength < 48 || (request[0] & 0x07) !== 3) return undefined;
  const version = (request[0] >> 3) & 0x07;
  const reply = Buffer.alloc(48);
  reply[0] = (version << 3) | 4; // LI 0, the client's version, mode 4 (server)
  reply[1] = 2; // stratum
  reply[2] = request[2]; // poll
  reply[3] = 0xec; // precision 2^-20
  reply.write("LOCL", 12, "latin1"); // reference identifier
  ntpTime(reply, 16, now); // reference timestamp
  request.copy(reply, 24, 40, 48); // originate = the client's transmit timestamp
  ntpTime(reply, 32, now); // receive
  ntpTime(reply, 40, now); // transmit
  return reply;
}

function bind(socket: Socket, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address, port: 123, exclusive: true }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/**
 * Starts the stand-in on a random address in 127.0.0.0/8 other than
 * 127.0.0.1 (Linux answers on all of them), so it cannot collide with a
 * time service or another run on this machine. Port 123 needs root (or
 * CAP_NET_BIND_SERVICE); without it this rejects with the reason.
 */
export async function startNtpStandIn(): Promise<NtpStandIn> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    const address = `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    const socket = createSocket("udp4");
    try {
      await bind(socket, address);
    } catch (error) {
      socket.close();
      lastError = error as Error;
      if ((error as NodeJS.ErrnoException).code === "EACCES") break;
      continue;
    }
    let answered = 0;
    socket.on("message", (request, from) => {
      const reply = sntpReply(request);
      if (reply === undefined) return;
      answered++;
      socket.send(reply, from.port, from.address);
    });
    return {
      address,
      get answered() {
        return answered;
      },
      close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
    };
  }
  const reason = (lastError as NodeJS.ErrnoException | undefined)?.code === "EACCES" ? "port 123 needs root" : lastError?.message;
  throw new Error(`cannot start the NTP stand-in: ${reason ?? "no free loopback address"}`);
}
