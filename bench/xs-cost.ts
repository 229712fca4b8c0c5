/**
 * Benchmarks "xs-cost" and "scaling": deterministic XS cost per packet of
 * the impnet echo (main.ts) against a hand-written echo on the emulated
 * ECMA-419 socket (bench/apps/raw-echo.ts), from the xsnap meter.
 */
import { CostRig, type PacketCost } from "../tools/rig/xs-measure";

export interface CostRow {
  case: string;
  impnet: PacketCost;
  raw: PacketCost;
  ratio: number;
  addedSlots: number;
}

function row(label: string, impnet: PacketCost, raw: PacketCost): CostRow {
  return { case: label, impnet, raw, ratio: impnet.compute / raw.compute, addedSlots: impnet.slots - raw.slots };
}

/** 100 packets per command, all queued for one onReadable (the difference of 100- and 300-packet commands). */
export async function xsCost(sizes = [16, 512, 1400]): Promise<CostRow[]> {
  const impnet = await CostRig.start("main.ts", "127.0.0.40", [1234]);
  const raw = await CostRig.start("bench/apps/raw-echo.ts", "127.0.0.41", [1234]);
  try {
    const rows: CostRow[] = [];
    for (const size of sizes) {
      const options = { small: 100, large: 300, perNotify: 100 };
      rows.push(row(`${size} B`, await impnet.perPacket([1234], size, options), await raw.perPacket([1234], size, options)));
    }
    return rows;
  } finally {
    await impnet.stop();
    await raw.stop();
  }
}

/** Cost per packet with 1, 8 and 64 open sockets (packets spread over all), and with 1 or 100 queued per onReadable. */
export async function scaling(): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const sockets of [1, 8, 64]) {
    const ports = Array.from({ length: sockets }, (_, i) => 20000 + i);
    const config = { sockets: String(sockets), port: "20000" };
    const impnet = await CostRig.start("bench/apps/multi-echo.ts", "127.0.0.42", ports, config);
    const raw = await CostRig.start("bench/apps/raw-multi-echo.ts", "127.0.0.43", ports, config);
    try {
      const options = { small: 128, large: 384, perNotify: 128 };
      rows.push(row(`${sockets} socket${sockets === 1 ? "" : "s"}, 16 B`, await impnet.perPacket(ports, 16, options), await raw.perPacket(ports, 16, options)));
    } finally {
      await impnet.stop();
      await raw.stop();
    }
  }
  const impnet = await CostRig.start("main.ts", "127.0.0.44", [1234]);
  const raw = await CostRig.start("bench/apps/raw-echo.ts", "127.0.0.45", [1234]);
  try {
    for (const perNotify of [1, 100]) {
      const options = { small: 100, large: 300, perNotify };
      rows.push(row(`${perNotify} queued per onReadable, 16 B`, await impnet.perPacket([1234], 16, options), await raw.perPacket([1234], 16, options)));
    }
  } finally {
    await impnet.stop();
    await raw.stop();
  }
  return rows;
}

export function costTable(rows: CostRow[]): string {
  const lines = [
    "| case | impnet computrons/packet | raw computrons/packet | impnet/raw | impnet slots/packet | raw slots/packet | slots impnet adds |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.case} | ${r.impnet.compute.toFixed(0)} | ${r.raw.compute.toFixed(0)} | ${r.ratio.toFixed(3)} | ${r.impnet.slots.toFixed(1)} | ${r.raw.slots.toFixed(1)} | ${r.addedSlots.toFixed(1)} |`,
    );
  }
  return lines.join("\n");
}
