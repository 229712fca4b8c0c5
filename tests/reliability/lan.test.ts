/**
 * The bad-input matrix and the send fuzz inside XS under impOS's strict
 * private-address rule (issue "Reliability and security", items 1 and 6):
 * the simulator runs in a network namespace this test creates, on
 * 10.79.S.1/24, where loopback is not the LAN. Every matrix row is run,
 * including accepted sends to other private addresses (they stay on the
 * namespace's LAN), and a send fuzz covers all addresses. Needs root and
 * iproute2; skipped with the reason otherwise.
 */
import test from "ava";
import { join } from "node:path";
import { root } from "../../tools/rig/sim";
import { createLan, netnsUnavailable } from "../../tools/rig/netns";
import { envInt } from "../../tools/rig/reliability/common";

const reason = netnsUnavailable();

interface RunnerReport {
  matrix?: { checked: number; skipped: number; skipReasons: [string, number][]; sent: number; out: number };
  fuzz?: { cases: number; outcomes: Record<string, number>; out: number; loopbackCases: number };
  failures: string[];
  failureCount: number;
}

if (reason !== null) {
  test.skip(`strict-rule matrix in a namespace (skipped: ${reason})`, () => {});
} else {
  test("bad-input matrix and send fuzz inside XS on a private LAN (strict rule, network namespace)", async (t) => {
    const lan = createLan(`impnet-rel${process.pid}`, 1, 79, 100 + (process.pid % 100));
    try {
      const address = lan.address(0);
      const count = envInt("IMPNET_FUZZ_XS_SEND", 5000);
      const child = lan.spawn(0, process.execPath, ["--import", "tsx", join(root, "tests", "reliability", "ns-runner.ts"), address, String(count)], root);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      const last = stdout.trim().split("\n").at(-1) ?? "";
      let report: RunnerReport;
      try {
        report = JSON.parse(last) as RunnerReport;
      } catch {
        t.fail(`the runner printed no report (exit ${code}):\n${stdout}\n${stderr}`);
        return;
      }
      if (report.matrix !== undefined) {
        const skips = report.matrix.skipReasons.map(([why, n]) => `${n} × ${why}`).join("; ");
        t.log(`bad-input matrix (XS, strict rule on ${address}/24): ${report.matrix.checked} cases checked, ${report.matrix.sent} accepted sends (${report.matrix.out} datagrams out); ${report.matrix.skipped} skipped (${skips})`);
      }
      if (report.fuzz !== undefined) {
        t.log(`send fuzz (XS, strict rule): ${report.fuzz.cases} cases × 2 sockets: ${Object.entries(report.fuzz.outcomes).map(([k, n]) => `${n} ${k}`).join(", ")}; ${report.fuzz.out} datagrams out; ${report.fuzz.loopbackCases} loopback destinations, all refused`);
      }
      t.deepEqual(report.failures, [], `${report.failureCount} failures`);
      t.is(code, 0, stderr);
      t.true((report.matrix?.checked ?? 0) > 550, "the connected and no-link rows ran (unhappy rows: fake network only, see matrix.test.ts)");
      t.true((report.fuzz?.outcomes.sent ?? 0) > 0 && (report.fuzz?.outcomes.RangeError ?? 0) > 0);
    } finally {
      lan.remove();
    }
  });
}
