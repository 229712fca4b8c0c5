/**
 * npm run bench [-- NAME...]: xs-cost, scaling, throughput, lwip-tap (default: all).
 * Prints markdown tables with the machine and date, for BENCHMARKS.md.
 */
import { cpus, loadavg, release, type } from "node:os";
import { costTable, scaling, xsCost } from "./xs-cost";
import { throughput, throughputTable } from "./throughput";
import { lwipTap, lwipTapTable } from "./lwip-tap";

const BENCHES: Record<string, () => Promise<string>> = {
  "xs-cost": async () => costTable(await xsCost()),
  scaling: async () => costTable(await scaling()),
  throughput: async () => throughputTable(await throughput()),
  "lwip-tap": async () => lwipTapTable(await lwipTap()),
};

const names = process.argv.slice(2);
for (const name of names) {
  if (!(name in BENCHES)) {
    process.stderr.write(`bench: unknown benchmark "${name}" (choose from: ${Object.keys(BENCHES).join(", ")})\n`);
    process.exit(2);
  }
}

console.log(`# impnet benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${type()} ${release()}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
  console.log(`\n## ${name}\n`);
  console.log(await BENCHES[name]());
}
