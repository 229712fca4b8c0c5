/**
 * The PC side of the lwIP tests, run inside a network namespace the test
 * made (`ip netns exec NS node --import tsx tools/rig/lwip/pc-agent.ts`): real
 * Node dgram sockets on the namespace's TAP link. JSON lines on stdin:
 *
 *   {"id":1,"op":"bind","socket":"s","address":"0.0.0.0","port":0}  → {"id":1,"port":N}
 *   {"id":2,"op":"send","socket":"s","address":A,"port":P,"length":L,"seed":S}
 *   {"id":3,"op":"burst", ... "count":C}  (seeds S, S+1, …; answered when all were sent)
 *   {"id":4,"op":"close","socket":"s"}
 *
 * Every request is answered with its id (and "error" when it failed); each
 * datagram received is reported as
 *   {"ev":"recv","socket":"s","address":A,"port":P,"length":L,"fnv":"…"}.
 * Payloads are tools/rig/lwip/pattern.ts's; the agent ends with stdin.
 */
import { createSocket, type Socket } from "node:dgram";
import { createInterface } from "node:readline";
import { fnv1a, pattern } from "./pattern";

interface Request {
  id: number;
  op: "bind" | "send" | "burst" | "close";
  socket: string;
  address?: string;
  port?: number;
  length?: number;
  seed?: number;
  count?: number;
}

const sockets = new Map<string, Socket>();

function answer(id: number, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ id, ...fields })}\n`);
}

function send(socket: Socket, request: Request, seed: number): Promise<void> {
  const bytes = pattern(request.length ?? 0, seed);
  return new Promise((resolve, reject) => socket.send(bytes, request.port, request.address, (error) => (error ? reject(error) : resolve())));
}

async function handle(request: Request): Promise<void> {
  if (request.op === "bind") {
    const socket = createSocket("udp4");
    socket.on("message", (data, from) => {
      process.stdout.write(`${JSON.stringify({ ev: "recv", socket: request.socket, address: from.address, port: from.port, length: data.length, fnv: fnv1a(data) })}\n`);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(request.port ?? 0, request.address ?? "0.0.0.0", () => resolve());
    });
    socket.setBroadcast(true);
    sockets.set(request.socket, socket);
    answer(request.id, { port: socket.address().port });
    return;
  }
  const socket = sockets.get(request.socket);
  if (socket === undefined) throw new Error(`no socket ${request.socket}`);
  if (request.op === "send") await send(socket, request, request.seed ?? 0);
  else if (request.op === "burst") {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < (request.count ?? 0); i++) sends.push(send(socket, request, (request.seed ?? 0) + i));
    await Promise.all(sends);
  } else if (request.op === "close") {
    sockets.delete(request.socket);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
  answer(request.id);
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const request = JSON.parse(line) as Request;
    handle(request).catch((error: Error) => answer(request.id, { error: error.message }));
  })
  .on("close", () => {
    for (const socket of sockets.values()) socket.close();
  });
process.stdout.write(`${JSON.stringify({ ev: "ready" })}\n`);
