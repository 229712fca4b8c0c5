/**
 * Long-running scenarios shared by the CI tests (bounded sizes) and the
 * soak runner (tools/soak.ts, full sizes): link flaps under traffic, and
 * the receive flood. Each returns its figures; the callers assert on them.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { UdpClient, root } from "../support/sim";
import { HANG_GUARD_MS } from "../support/wait";
import { digest } from "./blob-ops";
import { illegalTransitions, kernelDrops, memoryOf, nodeGc, sleep, until, xsWorkerPids } from "./common";
import { payload } from "./datagrams";
import { appStats, type AppStats, type Harness } from "./harness";

/** A small deterministic PRNG (mulberry32), so a failing flap sequence can be replayed by seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- echo traffic

/** Paced echo traffic from one client socket, counting what comes back (and keeping none of it). */
export class EchoTraffic {
  sent = 0;
  echoed = 0;
  corrupt = 0;
  probes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly payload = Buffer.alloc(64);

  private constructor(
    readonly client: UdpClient,
    private readonly address: string,
    private readonly port: number,
    private readonly everyMs: number,
  ) {
    client.socket.on("message", (data) => {
      client.replies.length = 0; // counted here, not kept
      if (data.length === 64 && data.readUInt32BE(4) === 0x696d706e) this.echoed++;
      else if (data.length === 5 && data.toString() === "probe") this.probes++;
      else this.corrupt++;
    });
  }

  static async start(from: string, address: string, port: number, everyMs = 2): Promise<EchoTraffic> {
    const traffic = new EchoTraffic(await UdpClient.open(from), address, port, everyMs);
    traffic.payload.writeUInt32BE(0x696d706e, 4);
    traffic.resume();
    return traffic;
  }

  /** Stops sending for a while (e.g. while the heap is measured). */
  async pause(settleMs = 30): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await sleep(settleMs);
  }

  resume(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.payload.writeUInt32BE(this.sent++, 0);
      this.client.socket.send(this.payload, this.port, this.address);
    }, this.everyMs);
  }

  /** Sends one probe ("probe") and resolves true when its echo arrives. */
  async probe(ms = HANG_GUARD_MS): Promise<boolean> {
    const before = this.probes;
    await this.client.send("probe", this.port, this.address);
    try {
      await until(() => this.probes > before, "a probe echo", ms, 1);
      return true;
    } catch {
      return false;
    }
  }

  private stopped = false;

  /** Stops sending and closes the socket (idempotent). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.client.close();
  }
}

// ---------------------------------------------------------------- link flaps

export type FlapKind = "down-up" | "unhappy-up" | "dhcp-delay" | "storm" | "down-during-dhcp" | "down-before-carrier" | "unhappy-while-down";

export interface FlapResult {
  flaps: number;
  byKind: Record<string, number>;
  /** Flaps after which the echo answered a probe. */
  recovered: number;
  /** Illegal transitions in the observed state sequence. */
  illegal: string[];
  states: number;
  echo: { sent: number; echoed: number; corrupt: number };
  app: AppStats;
}

const CONNECTED_OPEN = (port: number): RegExp => new RegExp(`^open ${port}$`);

/**
 * Runs `count` link faults of mixed kinds while echo traffic flows, waiting
 * after each for the app to have reopened its socket and for a probe to be
 * echoed. `seed` picks the kinds and delays.
 */
export async function runFlaps(harness: Harness, traffic: EchoTraffic, count: number, seed: number, onProgress?: (done: number) => void): Promise<FlapResult> {
  const random = prng(seed);
  const sim = harness.sim;
  const kinds: FlapKind[] = ["down-up", "unhappy-up", "dhcp-delay", "storm", "down-during-dhcp", "down-before-carrier", "unhappy-while-down"];
  const byKind: Record<string, number> = {};
  let recovered = 0;
  const open = CONNECTED_OPEN(harness.echoPort);
  const waitState = (state: number, from: number): Promise<string> => harness.waitLog(new RegExp(`^state ${state}$`), from);
  for (let i = 0; i < count; i++) {
    const kind = kinds[Math.floor(random() * kinds.length)];
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const mark = harness.logs.length;
    switch (kind) {
      case "down-up":
        sim.control("link eth0 down");
        await waitState(204, mark);
        await sleep(Math.floor(random() * 4));
        sim.control("link eth0 up");
        break;
      case "unhappy-up":
        // A W5500 failing while running reads as a link loss on ESP32 (docs/esp32.md §2).
        sim.control("link eth0 unhappy");
        await waitState(204, mark);
        sim.control("link eth0 up");
        break;
      case "dhcp-delay":
        sim.control(`dhcp eth0 delay ${Math.floor(random() * 60)}`);
        sim.control("link eth0 down");
        await waitState(204, mark);
        sim.control("link eth0 up");
        break;
      case "storm":
        // Commands back to back, without waiting for the states in between.
        for (const command of ["down", "up", "down", "unhappy", "up", "down", "up"]) {
          sim.control(`link eth0 ${command}`);
          if (random() < 0.5) await sleep(Math.floor(random() * 8));
        }
        break;
      case "down-during-dhcp": {
        sim.control("dhcp eth0 delay 40");
        sim.control("link eth0 down");
        await waitState(204, mark);
        const up = harness.logs.length;
        sim.control("link eth0 up");
        await waitState(201, up);
        sim.control("link eth0 down"); // while DHCP runs
        await waitState(204, up);
        sim.control(`dhcp eth0 delay ${Math.floor(random() * 25)}`);
        sim.control("link eth0 up");
        break;
      }
      case "down-before-carrier":
        sim.control("link eth0 down");
        await waitState(204, mark);
        sim.control("link eth0 up");
        sim.control("link eth0 down"); // before the carrier came (5 ms)
        await sleep(10);
        sim.control("link eth0 up");
        break;
      case "unhappy-while-down":
        sim.control("link eth0 down");
        await waitState(204, mark);
        sim.control("link eth0 unhappy"); // already without link: nothing new to report
        sim.control("link eth0 up");
        break;
    }
    // The app reopens its socket on CONNECTED; then the echo must answer. A storm can pass
    // through CONNECTED on its way, so wait until the app, having handled every command sent
    // so far (a request is queued behind them), is connected with its socket open.
    await harness.waitLog(open, mark);
    const deadline = Date.now() + HANG_GUARD_MS;
    for (;;) {
      const stats = await appStats(harness);
      if (stats.state === 1 && stats.echoOpen) break;
      if (Date.now() > deadline) throw new Error(`flap ${i} (${kind}): not connected with the socket open after ${HANG_GUARD_MS} ms (state ${stats.state})`);
      await sleep(2);
    }
    if (await traffic.probe()) recovered++;
    onProgress?.(i + 1);
  }
  await harness.request("ping"); // every command so far handled
  return {
    flaps: count,
    byKind,
    recovered,
    illegal: illegalTransitions(harness.states),
    states: harness.states.length,
    echo: { sent: traffic.sent, echoed: traffic.echoed, corrupt: traffic.corrupt },
    app: await appStats(harness),
  };
}

// ---------------------------------------------------------------- resource snapshots

export interface Resources {
  heap: number;
  osSockets: number;
  xsSockets: number;
  xsTimers: number;
  nodeRss: number;
  /** V8 heap in use in this process after a full collection. */
  nodeHeap: number;
  xsRss: number;
}

/** XS heap after a collection, the simulator's socket and timer counts, and memory. */
export async function resources(harness: Harness): Promise<Resources> {
  const heap = await harness.sim.heap();
  const stats = harness.sim.stats;
  const worker = xsWorkerPids()
    .map((pid) => memoryOf(pid)?.rss ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
  nodeGc();
  const memory = process.memoryUsage();
  return { heap, osSockets: stats.osSockets, xsSockets: stats.xsSockets, xsTimers: stats.xsTimers, nodeRss: memory.rss, nodeHeap: memory.heapUsed, xsRss: worker };
}

// ---------------------------------------------------------------- receive flood

export interface FloodResult {
  /** Datagrams the flood process sent (it reports its own count). */
  sent: number;
  senderErrors: number;
  /** Datagrams the app's callback got. */
  delivered: number;
  /** Dropped by the simulator's queue limit (counted). */
  droppedQueueFull: number;
  /** Dropped by the OS because the simulator's socket buffer was full (counted by the kernel, /proc/net/udp). */
  droppedKernel: number;
  durationMs: number;
  heapBefore: number;
  heapAfter: number;
  heapHighWater: number;
  xsAllocate: number;
  nodeRssPeak: number;
  xsRssPeak: number;
  answeredAfter: boolean;
}

/**
 * Floods the harness app's echo socket (switched to count-only) with `count`
 * datagrams of `size` bytes, sent as fast as a separate process can (the
 * impnet-peer flood mode), then accounts for every one of them.
 */
export async function runFlood(harness: Harness, from: string, count: number, size = 64): Promise<FloodResult> {
  const sim = harness.sim;
  await harness.request("echo", { on: false });
  const before = await appStats(harness);
  const heapBefore = await sim.heap();
  const kernelBefore = kernelDrops(harness.address, harness.echoPort);
  const queueBefore = sim.stats.droppedQueueFull;
  let nodeRssPeak = 0;
  let xsRssPeak = 0;
  const sample = (): void => {
    nodeRssPeak = Math.max(nodeRssPeak, process.memoryUsage().rss);
    for (const pid of xsWorkerPids()) xsRssPeak = Math.max(xsRssPeak, memoryOf(pid)?.rss ?? 0);
  };
  const sampler = setInterval(sample, 50);
  const started = performance.now();
  const report = await peerFlood(`${harness.address}:${harness.echoPort}`, from, count, size);
  // Wait until every datagram the sender handed to the OS is accounted for: delivered to the
  // app, dropped by the simulator's queue limit, or dropped by the kernel at a full buffer.
  const deadline = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const stats = await appStats(harness);
    const accounted = stats.received - before.received + (sim.stats.droppedQueueFull - queueBefore) + (kernelDrops(harness.address, harness.echoPort) - kernelBefore);
    if (accounted >= report.sent - report.errors) break;
    if (Date.now() > deadline) throw new Error(`flood: ${accounted} of ${report.sent - report.errors} datagrams accounted for after ${HANG_GUARD_MS} ms`);
    await sleep(20);
  }
  const durationMs = performance.now() - started;
  clearInterval(sampler);
  sample();
  const after = await appStats(harness);
  await harness.request("echo", { on: true });
  const heapAfter = await sim.heap();
  // The app still answers.
  const client = await UdpClient.open(from);
  let answeredAfter = false;
  try {
    await client.send("after the flood", harness.echoPort, harness.address);
    await client.waitReplies(1);
    answeredAfter = client.replies[0].data.toString() === "after the flood";
  } catch {
    answeredAfter = false;
  } finally {
    client.close();
  }
  return {
    sent: report.sent,
    senderErrors: report.errors,
    delivered: after.received - before.received,
    droppedQueueFull: sim.stats.droppedQueueFull - queueBefore,
    droppedKernel: kernelDrops(harness.address, harness.echoPort) - kernelBefore,
    durationMs,
    heapBefore,
    heapAfter,
    heapHighWater: sim.stats.heapHighWater,
    xsAllocate: sim.stats.lastMeter?.allocate ?? 0,
    nodeRssPeak,
    xsRssPeak,
    answeredAfter,
  };
}

/** Runs `impnet-peer flood` in its own process (so the sender does not share the simulator's event loop). */
function peerFlood(target: string, bind: string, count: number, size: number): Promise<{ sent: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "hosts", "peer", "bin.js"), "flood", "--target", target, "--bind", `${bind}:0`, "--count", String(count), "--size", String(size), "--json"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`impnet-peer flood exited ${code}: ${err || out}`));
      try {
        const doc = JSON.parse(out) as { results: { sent: number; errors: { send: number } }[] };
        const result = doc.results[0];
        resolve({ sent: result.sent, errors: result.errors.send });
      } catch (error) {
        reject(new Error(`impnet-peer flood: ${(error as Error).message}: ${out.slice(0, 500)}`));
      }
    });
  });
}

// ---------------------------------------------------------------- echo fuzz on real sockets

export interface EchoFuzzResult {
  sent: number;
  bytes: number;
  /** Clients whose echoes differ from what they sent (as multisets of length + digest). */
  mismatched: number[];
  /** Echoes from an unexpected address or port. */
  strangers: number;
}

/**
 * Sends random datagrams (`cases`: size, seed, which client) from `clients`
 * to the harness app's echo socket, with a window so that no socket buffer
 * overflows (such loss would not be impnet's), and checks that each client
 * got exactly its own datagrams back, byte for byte, from the echo port.
 */
export async function runEchoFuzz(harness: Harness, clients: UdpClient[], cases: { size: number; seed: number; client: number }[]): Promise<EchoFuzzResult> {
  const expected = clients.map(() => new Map<string, number>());
  const firstReply = clients.map((c) => c.replies.length);
  const window = 32;
  const windowBytes = 128 * 1024;
  const inFlight: number[] = [];
  let sent = 0;
  let bytes = 0;
  const replies = (): number => clients.reduce((n, c, i) => n + c.replies.length - firstReply[i], 0);
  const outstanding = (): number => {
    const pending = sent - replies();
    return inFlight.slice(inFlight.length - pending).reduce((n, b) => n + b, 0);
  };
  for (const item of cases) {
    const data = Buffer.from(payload(item.size, item.seed));
    const key = `${data.length}:${digest(data)}`;
    const map = expected[item.client];
    map.set(key, (map.get(key) ?? 0) + 1);
    if (sent - replies() >= window || outstanding() + data.length > windowBytes) {
      await until(() => sent - replies() < window && outstanding() + data.length <= windowBytes, "echoes", undefined, 0);
    }
    await clients[item.client].send(data, harness.echoPort, harness.address);
    inFlight.push(data.length);
    sent++;
    bytes += data.length;
  }
  await until(() => replies() >= sent, "the last echoes").catch(() => undefined);
  const mismatched: number[] = [];
  let strangers = 0;
  clients.forEach((client, i) => {
    const got = new Map<string, number>();
    for (const reply of client.replies.slice(firstReply[i])) {
      if (reply.address !== harness.address || reply.port !== harness.echoPort) strangers++;
      const key = `${reply.data.length}:${digest(reply.data)}`;
      got.set(key, (got.get(key) ?? 0) + 1);
    }
    const a = JSON.stringify([...got].sort());
    const b = JSON.stringify([...expected[i]].sort());
    if (a !== b) mismatched.push(i);
    client.replies.length = firstReply[i]; // checked: not kept
  });
  return { sent, bytes, mismatched, strangers };
}
