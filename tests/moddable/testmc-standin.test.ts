/**
 * The NTP stand-in that `make test-moddable-io` puts where the SDK's UDP tests
 * expect pool.ntp.org (tools/testmc/ntp.ts): its replies are SNTP server
 * replies (RFC 4330 §5) to client requests, and nothing else is answered.
 */
import test from "ava";
import { createSocket } from "node:dgram";
import { sntpReply, startNtpStandIn } from "../../tools/testmc/ntp";

/** The request the SDK's tests send: 48 bytes, version 4, mode 3 (client). */
function clientRequest(transmitMarker: number): Buffer {
  const request = Buffer.alloc(48);
  request[0] = (4 << 3) | 3;
  request.writeUInt32BE(transmitMarker, 40);
  request.writeUInt32BE(0x12345678, 44);
  return request;
}

test("a client request gets a 48-byte server reply: mode 4, the client's version, its transmit time as originate, the time now", (t) => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5, 500);
  const reply = sntpReply(clientRequest(0xcafebabe), now)!;
  t.is(reply.byteLength, 48);
  t.is(reply[0] & 0x07, 4, "mode: server");
  t.is((reply[0] >> 3) & 0x07, 4, "version: the client's");
  t.is(reply[1], 2, "stratum 2");
  t.is(reply.readUInt32BE(24), 0xcafebabe, "originate = client transmit");
  t.is(reply.readUInt32BE(28), 0x12345678);
  const seconds = Math.floor(now / 1000) + 2_208_988_800;
  t.is(reply.readUInt32BE(40), seconds, "transmit seconds since 1900");
  t.is(reply.readUInt32BE(44), 2 ** 31, "half a second");
});

test("anything but a client request is not answered", (t) => {
  t.is(sntpReply(Buffer.alloc(47)), undefined, "too short");
  const server = clientRequest(1);
  server[0] = (4 << 3) | 4;
  t.is(sntpReply(server), undefined, "mode 4");
});

const privileged = typeof process.getuid === "function" && process.getuid() === 0;
(privileged ? test : test.skip)(
  privileged ? "the stand-in answers on port 123 of its own loopback address" : "the stand-in answers on port 123 (skipped: binding port 123 needs root)",
  async (t) => {
    const ntp = await startNtpStandIn();
    const client = createSocket("udp4");
    try {
      t.regex(ntp.address, /^127\./);
      t.not(ntp.address, "127.0.0.1");
      const reply = new Promise<Buffer>((resolve) => client.once("message", resolve));
      client.send(clientRequest(7), 123, ntp.address);
      t.is((await reply).readUInt32BE(24), 7);
      t.is(ntp.answered, 1);
    } finally {
      client.close();
      await ntp.close();
    }
  },
);
