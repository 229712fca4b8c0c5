/**
 * The JavaScript contract of impnet's native UDP (docs/native-udp.md §1) on
 * the lin backend, checked inside mcsim by tests/hil/apps/native-contract.ts
 * (eth0 on 127.0.0.132): option and write errors, bind failures, the
 * interface table, the bounded receive queue and when onReadable is called.
 * Skipped, with the reason, without a Moddable SDK.
 */
import test from "ava";
import { createSocket, type Socket } from "node:dgram";
import { buildApp, mcsimSdk, startApp, type McsimApp } from "../../tools/rig/mcsim";

const DEVICE = "127.0.0.132";
const SINK = 1240;
const CONTROL = 1241;
const sdk = mcsimSdk();

interface Stats {
  calls: number;
  thisIsSocket: boolean;
  firstCount: number;
  dropped: number;
}

/** The PC's side: one socket for the sink's datagrams and the control requests. */
class Peer {
  private answers: string[] = [];
  private waiting: (() => void) | undefined;
  private constructor(readonly socket: Socket) {
    socket.on("message", (data) => {
      this.answers.push(data.toString("latin1"));
      this.waiting?.();
    });
  }

  static async open(): Promise<Peer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new Peer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer | string, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, DEVICE, (error) => (error ? reject(error) : resolve())));
  }

  /** Sends a command to the control socket and resolves with its answer. */
  async command(text: string): Promise<string> {
    const answered = new Promise<void>((resolve) => (this.waiting = resolve));
    await this.send(text, CONTROL);
    await answered;
    return this.answers.shift() as string;
  }

  /** Asks for stats until `done` holds for them (the sink's datagrams and the control's travel on different sockets). */
  async statsWhen(done: (stats: Stats) => boolean): Promise<Stats> {
    for (;;) {
      const stats = JSON.parse(await this.command("stats")) as Stats;
      if (done(stats)) return stats;
    }
  }

  close(): void {
    this.socket.close();
  }
}

if (typeof sdk === "string") {
  test.skip(`native UDP contract in mcsim: skipped, ${sdk}`, () => {});
} else {
  let app: McsimApp;

  test.before(async (t) => {
    t.timeout(20 * 60_000, "a first lin build compiles XS");
    const so = await buildApp(sdk, "hil-native-contract", "tests/hil/apps/native-contract.ts", { config: { eth0_address: DEVICE }, env: { IMPNET_UDP: "native" } });
    app = startApp(sdk, so);
    await app.waitFor(/^ready$/);
  });

  test.after.always(async () => {
    await app?.stop();
  });

  test.serial("constructor, write and close behave as the contract says", (t) => {
    const checks = Object.fromEntries(app.lines.filter((l) => l.startsWith("check ")).map((l) => l.slice("check ".length).split(/: (.*)/s, 2)));
    t.deepEqual(checks, {
      "no options": "TypeError: UDP: options must be an object",
      "port 0": "RangeError: UDP: options.port 0 is outside 1-65535",
      "port 65536": "RangeError: UDP: options.port 65536 is outside 1-65535",
      "port 1.5": "TypeError: UDP: options.port 1.5 is not an integer",
      "interface eth9": 'RangeError: UDP: options.interface eth9 is not "eth0" or "wl0"',
      "onReadable 5": "TypeError: UDP: options.onReadable is not a function",
      "interface wl0 (no address)": "Error: no network",
      "interfaceInfo wl0": "undefined",
      "port in use": "Error: bind failed",
      "port free again after close": '"bound"',
      "target and format": '[true,"buffer",0,null]',
      "write checks": JSON.stringify(["TypeError: write: address is not a dotted quad", "RangeError: write: port 65536 is outside 0-65535", "RangeError: write: buffer of 65508 bytes is over 65507", "undefined"]),
      "after close": JSON.stringify(["Error: closed", "Error: closed"]),
      "interfaceInfo eth0": JSON.stringify({ address: DEVICE, netmask: "255.0.0.0", broadcast: "127.255.255.255" }),
    });
  });

  test.serial("the queue holds 64 datagrams, oldest first; the rest are dropped and counted; onReadable is called once until a read() empties it", async (t) => {
    const peer = await Peer.open();
    try {
      for (let i = 0; i < 200; i++) await peer.send(String(i), SINK);
      const stats = await peer.statsWhen((s) => s.dropped >= 136);
      t.deepEqual(stats, { calls: 1, thisIsSocket: true, firstCount: stats.firstCount, dropped: 136 });
      t.true(stats.firstCount >= 1 && stats.firstCount <= 64, `first onReadable count ${stats.firstCount}`);
      const queued = JSON.parse(await peer.command("drain")) as unknown[];
      t.deepEqual(queued, [...Array.from({ length: 64 }, (_, i) => [String(i), String(i).length, "127.0.0.1", peer.port, DEVICE]), "empty"]);

      // Emptied by read(): the next arrival is announced again. A zero-length datagram is one.
      await peer.send(Buffer.alloc(0), SINK);
      await peer.send("x", SINK);
      await peer.statsWhen((s) => s.calls === 2);
      const more = JSON.parse(await peer.command("drain")) as unknown[];
      // Both may not be queued yet when the drain runs: read again until both came.
      while (more.length < 3) {
        more.pop();
        more.push(...(JSON.parse(await peer.command("drain")) as unknown[]));
      }
      t.deepEqual(more, [["", 0, "127.0.0.1", peer.port, DEVICE], ["x", 1, "127.0.0.1", peer.port, DEVICE], "empty"]);
    } finally {
      peer.close();
    }
  });
}
