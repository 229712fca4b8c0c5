/**
 * npm run bench [-- NAME...]: xs-cost, scaling, throughput, mcsim, lwip-tap
 * (default: all; mcsim only with a Moddable SDK, $MODDABLE, and lwip-tap only
 * as root with liblwip-dev, else each prints why it was skipped).
 * Prints markdown tables with the machine and date, for BENCHMARKS.md.
 */
import { cpus, loadavg, release, type } from "node:os";
import { costTable, scaling, xsCost } from "./xs-cost";
import { throughput, throughputTable } from "./throughput";
import { mcsimBench, mcsimBenchSdk, mcsimTable } from "./mcsim";
import { lwipTap, lwipTapTable } from "./lwip-tap";

const BENCHES: Record<string, () => Promise<string>> = {
  "xs-cost": async () => costTable(await xsCost()),
  scaling: async () => costTable(await scaling()),
  throughput: async () => throughputTable(await throughput()),
  mcsim: async () => {
    const sdk = mcsimBenchSdk();
    return typeof sdk === "string" ? `skipped: ${sdk}` : mcsimTable(await mcsimBench(sdk));
  },
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
