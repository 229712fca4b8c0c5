/**
 * The JavaScript contract of impnet's native UDP (docs/native-udp.md §1),
 * checked from inside the firmware: tests/hil/mcsim-contract.test.ts runs
 * it in mcsim; any backend (lin, esp32) can run it. At start it logs one
 * `check NAME: RESULT` line per case, then `ready`. Then a socket on port
 * 1240 that never reads by itself (the queue and its bound) and a control
 * socket on 1241 answer:
 *   `stats` → JSON { calls, thisIsSocket, firstCount, dropped }
 *   `drain` → JSON of every queued datagram on 1240, read now:
 *             [text, byteLength, address, port, destination], then `empty` (read() after the last)
 */
import UDP, { interfaceInfo, type NativeDatagram } from "impnet/native/udp";
import { server } from "impnet";

const SINK = 1240;
const CONTROL = 1241;

function outcome(run: () => unknown): string {
  try {
    const value = run();
    return value === undefined ? "undefined" : JSON.stringify(value);
  } catch (error) {
    const e = error as Error;
    // Debug builds add " (in frame)" to errors thrown from C: the contract is the message before it.
    return `${e.name}: ${e.message.replace(/ \(in [^)]*\)$/, "")}`;
  }
}

function check(name: string, run: () => unknown): void {
  server.log(`check ${name}: ${outcome(run)}`);
}

function options(extra: Record<string, unknown>): ConstructorParameters<typeof UDP>[0] {
  return { port: 1250, interface: "eth0", ...extra } as unknown as ConstructorParameters<typeof UDP>[0];
}

check("no options", () => new UDP(undefined as unknown as ConstructorParameters<typeof UDP>[0]));
check("port 0", () => new UDP(options({ port: 0 })));
check("port 65536", () => new UDP(options({ port: 65536 })));
check("port 1.5", () => new UDP(options({ port: 1.5 })));
check("interface eth9", () => new UDP(options({ interface: "eth9" })));
check("onReadable 5", () => new UDP(options({ onReadable: 5 })));
check("interface wl0 (no address)", () => new UDP(options({ interface: "wl0" })));
check("interfaceInfo wl0", () => interfaceInfo("wl0"));
check("port in use", () => {
  const first = new UDP(options({}));
  try {
    return new UDP(options({}));
  } finally {
    first.close();
  }
});
check("port free again after close", () => {
  new UDP(options({})).close();
  return "bound";
});
check("target and format", () => {
  const target = { name: "mine" };
  const socket = new UDP(options({ target }));
  const result = [socket.target === target, socket.format, socket.dropped, socket.read()];
  socket.close();
  return result;
});
check("write checks", () => {
  const socket = new UDP(options({}));
  const results = [
    outcome(() => socket.write(new ArrayBuffer(1), "not an address", 9)),
    outcome(() => socket.write(new ArrayBuffer(1), "127.0.0.1", 65536)),
    outcome(() => socket.write(new ArrayBuffer(65508), "127.0.0.1", 9)),
    outcome(() => socket.write(new Uint8Array(new ArrayBuffer(8), 2, 3), "127.0.0.1", 9)),
  ];
  socket.close();
  return results;
});
check("after close", () => {
  const socket = new UDP(options({}));
  socket.close();
  socket.close();
  return [outcome(() => socket.read()), outcome(() => socket.write(new ArrayBuffer(1), "127.0.0.1", 9))];
});

let calls = 0;
let thisIsSocket = false;
let firstCount = -1;
const sink: UDP = new UDP({
  port: SINK,
  interface: "eth0",
  onReadable(this: UDP, count: number) {
    calls += 1;
    thisIsSocket = this === sink;
    if (firstCount < 0) firstCount = count;
  },
});

const control: UDP = new UDP({
  port: CONTROL,
  interface: "eth0",
  onReadable(this: UDP) {
    for (let request = this.read(); request !== undefined; request = this.read()) {
      const command = String.fromCharCode(...new Uint8Array(request));
      let answer = `unknown command ${command}`;
      if (command === "stats") answer = JSON.stringify({ calls, thisIsSocket, firstCount, dropped: sink.dropped });
      else if (command === "drain") {
        const queued: unknown[] = [];
        for (let d: NativeDatagram | undefined = sink.read(); d !== undefined; d = sink.read())
          queued.push([String.fromCharCode(...new Uint8Array(d)), d.byteLength, d.address, d.port, d.destination]);
        queued.push(sink.read() === undefined ? "empty" : "not empty");
        answer = JSON.stringify(queued);
      }
      const bytes = new Uint8Array(answer.length);
      for (let i = 0; i < answer.length; i++) bytes[i] = answer.charCodeAt(i);
      this.write(bytes.buffer, request.address, request.port);
    }
  },
});
server.log(`check interfaceInfo eth0: ${JSON.stringify(interfaceInfo("eth0"))}`);
server.log("ready");
