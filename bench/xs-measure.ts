/**
 * Deterministic cost of the firmware's receive → callback → send path inside
 * XS: packets are injected straight into the simulator's XS worker in one
 * command, and the command's meter gives computrons (deterministic) and live
 * slots. Allocation is counted from a gc()'d baseline (xsnap-notes.md §4).
 * Two batch sizes are measured and subtracted, so the command's own constant
 * overhead cancels: cost per packet = (cost(N2) − cost(N1)) / (N2 − N1).
 */
import { createSocket, type Socket } from "node:dgram";
import { join } from "node:path";
import { Simulator } from "../hosts/sim/simulator";
import * as P from "../hosts/sim/protocol";
import { root } from "../tests/support/sim";

export interface PacketCost {
  /** Computrons per packet. */
  compute: number;
  /** XS slots allocated per packet (garbage included). */
  slots: number;
}

/** An app running in the simulator, ready to be fed packets. */
export class CostRig {
  private constructor(
    readonly sim: Simulator,
    private readonly sink: Socket,
    readonly address: string,
  ) {}

  /**
   * Starts `app` (path from the repository root) on `address` with
   * `config`, and waits until `ports` are bound in XS.
   */
  static async start(app: string, address: string, ports: number[], config: Record<string, string> = {}): Promise<CostRig> {
    const sim = await Simulator.start({
      app: join(root, app),
      interfaces: [{ name: "eth0", address }],
      // The raw ECMA-419 apps bring up Ethernet themselves, so every app starts at once (same conditions for both).
      startAtOnce: true,
      config,
      onError: (line) => process.stderr.write(`[${app}] ${line}\n`),
    });
    // A hang guard: binding takes milliseconds, far longer only on a very busy machine.
    const deadline = Date.now() + 60_000;
    while (ports.some((port) => sim.handleFor(port) === undefined)) {
      if (Date.now() > deadline) throw new Error(`${app}: ports ${ports.join(", ")} not bound within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Echoes go back to this socket (the injected packets' source) and are dropped here.
    const sink = createSocket("udp4");
    await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", () => resolve()));
    sink.on("message", () => {});
    return new CostRig(sim, sink, address);
  }

  /**
   * Builds a command carrying `count` datagrams of `size` bytes, spread
   * round-robin over `ports`, with a NOTIFY after every `perNotify` packets
   * (so each onReadable sees that many queued packets).
   */
  records(ports: number[], size: number, count: number, perNotify = count): Buffer {
    const handles = ports.map((port) => this.sim.handleFor(port) as number);
    const from = P.addressToNumber("127.0.0.1");
    const fromPort = this.sink.address().port;
    const to = P.addressToNumber(this.address);
    const record = P.PACKET_HEADER + size;
    const out = Buffer.alloc(count * record + Math.ceil(count / perNotify));
    let at = 0;
    for (let i = 0; i < count; i++) {
      out[at] = P.PACKET;
      out.writeUInt32LE(handles[i % handles.length], at + 1);
      out.writeUInt32LE(from, at + 5);
      out.writeUInt16LE(fromPort, at + 9);
      out.writeUInt32LE(to, at + 11);
      out.writeUInt32LE(size, at + 15);
      out.fill(i & 255, at + P.PACKET_HEADER, at + record);
      at += record;
      if ((i + 1) % perNotify === 0 || i === count - 1) out[at++] = P.NOTIFY;
    }
    return out.subarray(0, at);
  }

  /** Computrons and slots of one command of `count` packets, from a collected heap. */
  async command(ports: number[], size: number, count: number, perNotify = count): Promise<PacketCost> {
    const records = this.records(ports, size, count, perNotify);
    await this.sim.heap();
    const baseline = this.sim.stats.lastMeter?.currentHeapCount ?? 0;
    const meter = await this.sim.inject(records);
    return { compute: meter.compute, slots: meter.currentHeapCount - baseline };
  }

  /** Cost per packet: the difference between batches of `small` and `large` packets. */
  async perPacket(ports: number[], size: number, options: { small?: number; large?: number; perNotify?: number } = {}): Promise<PacketCost> {
    const small = options.small ?? 10;
    const large = options.large ?? 110;
    const perNotify = options.perNotify;
    // One warm-up so lazily made objects (scratch arrays, caches, the reply buffer's growth) are not counted.
    await this.command(ports, size, large, perNotify === undefined ? large : perNotify);
    const a = await this.command(ports, size, small, perNotify === undefined ? small : perNotify);
    const b = await this.command(ports, size, large, perNotify === undefined ? large : perNotify);
    return { compute: (b.compute - a.compute) / (large - small), slots: (b.slots - a.slots) / (large - small) };
  }

  async stop(): Promise<void> {
    this.sink.close();
    await this.sim.stop();
  }
}
